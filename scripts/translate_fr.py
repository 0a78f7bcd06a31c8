"""Fill locale/fr from this table and compile it (no GNU gettext needed):

    .venv/bin/python manage.py makemessages -l fr --ignore=.venv --ignore=.stack --ignore=tests
    .venv/bin/python scripts/translate_fr.py
"""

from pathlib import Path

import polib

FR = {
    # staff consoles, payments and errors
    'Staff pages live at the staff address.': "Les pages du personnel sont à l'adresse du personnel.",
    'The shop lives at the public address.': "La boutique est à l'adresse publique.",
    'Not here': 'Pas ici',
    'Companion seat, beside a wheelchair space': "Place d'accompagnateur, à côté d'une place pour fauteuil roulant",
    'name': 'nom',
    'rank': 'rang',
    'Order of the price types; the shop offers the first as the default.': 'Ordre des tarifs ; la boutique propose le premier par défaut.',
    'limit per order': 'limite par commande',
    'Most tickets of this type in one order; empty for no limit.': 'Nombre maximal de billets de ce tarif par commande ; vide pour aucune limite.',
    'note': 'note',
    'Shown with the price and on the ticket, e.g. “Show student ID at the door”.': "Affichée avec le prix et sur le billet, p. ex. « Présentez votre carte étudiante à l'entrée ».",
    'Free tickets given by staff with a reason (press, guests); never offered to shoppers.': 'Billets gratuits remis par le personnel avec un motif (presse, invités) ; jamais proposés en ligne.',
    'amount': 'montant',
    'The zone belongs to another performance.': 'La zone appartient à une autre représentation.',
    'Invalid token.': 'Jeton invalide.',
    'User inactive or deleted.': 'Utilisateur inactif ou supprimé.',
    'Open a shift first.': "Ouvrez d'abord un quart de travail.",
    'Nothing held: %(reason)s': "Rien n'est retenu : %(reason)s",
    'The hold lapsed; the seats were released. Start the sale again.': 'La réservation a expiré ; les places ont été libérées. Recommencez la vente.',
    'Sold. Change due: %(change)s': 'Vendu. Monnaie à rendre : %(change)s',
    'Tick the tickets to exchange.': 'Cochez les billets à échanger.',
    'Not exchanged: %(reason)s': 'Non échangé : %(reason)s',
    "the supervisor's name or password is wrong": 'le nom ou le mot de passe du superviseur est erroné',
    'Exchanged. Change due: %(change)s': 'Échangé. Monnaie à rendre : %(change)s',
    'Exchanged. Pay back %(amount)s.': 'Échangé. Rembourser %(amount)s.',
    'Exchanged, no difference to pay.': 'Échangé, aucune différence à payer.',
    'Not refunded: %(reason)s': 'Non remboursé : %(reason)s',
    "Not refunded: the supervisor's name or password is wrong.": 'Non remboursé : le nom ou le mot de passe du superviseur est erroné.',
    'Refunded; the seats are back on sale.': 'Remboursé ; les places sont remises en vente.',
    'Not paid: %(reason)s': 'Non payé : %(reason)s',
    'Paid. Change due: %(change)s': 'Payé. Monnaie à rendre : %(change)s',
    'No order matches “%(q)s”.': 'Aucune commande ne correspond à « %(q)s ».',
    'You have no open shift.': "Vous n'avez aucun quart de travail ouvert.",
    '%(field)s must be an amount, like 20.00': '%(field)s doit être un montant, comme 20,00',
    '%(field)s cannot be negative': '%(field)s ne peut pas être négatif',
    '%(field)s is more than %(max)s: check the amount': '%(field)s dépasse %(max)s : vérifiez le montant',
    'The quantity must be a whole number.': 'La quantité doit être un nombre entier.',
    'Cash tendered': 'Argent reçu',
    'Cash float': 'Fonds de caisse',
    'Card total': 'Total des cartes',
    'Write a note of 1 to 2000 characters.': 'Écrivez une note de 1 à 2000 caractères.',
    'The hold lapsed; the seats were released.': 'La réservation a expiré ; les places ont été libérées.',
    'Reserved until %(when)s.': "Réservé jusqu'au %(when)s.",
    'Paid. The tickets are on their way to %(email)s.': 'Payé. Les billets sont en route vers %(email)s.',
    'Enter the payment deadline as a date and time.': 'Entrez la date limite de paiement (date et heure).',
    'These seats are order %(code)s: cancel that order instead.': 'Ces places sont la commande %(code)s : annulez plutôt cette commande.',
    'Cancelled; the seats are back on sale.': 'Annulé ; les places sont remises en vente.',
    'The confirmation will be sent again to %(email)s.': 'La confirmation sera renvoyée à %(email)s.',
    'Enter your card in the card field.': 'Entrez votre carte dans le champ de la carte.',
    'Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0341 is declined, 4000 0025 0000 3155 asks your bank.': 'Cartes de test : 4242 4242 4242 4242 est acceptée, 4000 0000 0000 0341 est refusée, 4000 0025 0000 3155 fait intervenir votre banque.',
    'Your bank has not answered yet; please wait a moment and reload.': "Votre banque n'a pas encore répondu ; patientez un instant puis rechargez la page.",
    'The payment was not made: %(reason)s. Your seats are still held.': "Le paiement n'a pas été fait : %(reason)s. Vos places sont toujours réservées.",
    'Test card': 'Carte de test',
    'address': 'adresse',
    'prices include taxes': 'prix taxes incluses',
    'Prices and fees are entered taxes included (the receipt shows the taxes they contain).': "Les prix et les frais sont saisis taxes incluses (le reçu indique les taxes qu'ils contiennent).",
    'organizer': 'organisateur',
    'rate (%)': 'taux (%)',
    'registration number': "numéro d'inscription",
    'also on fees': 'aussi sur les frais',
    'channel': 'canal',
    'per ticket': 'par billet',
    'per order': 'par commande',
    'refundable': 'remboursable',
    'Paid back with a refund; otherwise kept.': 'Remboursés avec un remboursement ; sinon conservés.',
    'code': 'code',
    'Typed by buyers; case does not matter.': 'Saisi par les acheteurs ; majuscules ou minuscules, peu importe.',
    'description': 'description',
    'percent off': 'pourcentage de rabais',
    'amount off': 'montant du rabais',
    'once per order': 'une fois par commande',
    'Off the order as a whole instead of off each ticket.': 'Sur la commande entière plutôt que sur chaque billet.',
    'uses in all': 'utilisations au total',
    'uses per customer': 'utilisations par client',
    'valid from': 'valide à partir du',
    'valid until': "valide jusqu'au",
    'channels': 'canaux',
    'Comma-separated (online, counter, phone); empty for every channel.': 'Séparés par des virgules (online, counter, phone) ; vide pour tous les canaux.',
    'opens at': 'ouvre le',
    'closes at': 'ferme le',
    'uses': 'utilisations',
    '1 for a single-use code; empty for a shared code.': '1 pour un code à usage unique ; vide pour un code partagé.',
    'counter clerk': 'caissier au guichet',
    'phone operator': 'téléphoniste',
    'This page is for the %(role)s role; you are signed in as %(user)s.': 'Cette page est réservée au rôle %(role)s ; vous êtes connecté en tant que %(user)s.',
    'You are signed in as %(user)s, who may not open this page.': 'Vous êtes connecté en tant que %(user)s, qui ne peut pas ouvrir cette page.',
    'Not your page': 'Pas votre page',
    'Back to your staff home': 'Retour à votre accueil du personnel',
    'Sign in as someone else': 'Se connecter sous un autre nom',
    'Home': 'Accueil',
    'Counter': 'Guichet',
    'Close the shift': 'Fermer le quart',
    'Cash counted in the drawer (float included)': 'Argent compté dans le tiroir (fonds de caisse compris)',
    'Card terminal total': 'Total du terminal de paiement',
    'Close and print the report': 'Fermer et imprimer le rapport',
    'Exchange for order %(code)s': 'Échange pour la commande %(code)s',
    'Handed back': 'Rendus',
    'New seats': 'Nouvelles places',
    'Was': 'Avant',
    'now': 'maintenant',
    'Held for': 'Réservées pour',
    'Keep the old seats': 'Garder les anciennes places',
    'The customer pays': 'Le client paie',
    'Change due': 'Monnaie à rendre',
    'Card terminal (or split)': 'Terminal de paiement (ou partagé)',
    'Terminal authorisation reference': "Numéro d'autorisation du terminal",
    'Pay back': 'Rembourser',
    'Paid back the way the order was paid:': 'Remboursé comme la commande a été payée :',
    'from your drawer': 'de votre tiroir',
    'Over your limit: supervisor approval': "Au-delà de votre limite : approbation d'un superviseur",
    'Supervisor': 'Superviseur',
    'No difference to pay': 'Aucune différence à payer',
    'Exchange': 'Échanger',
    'Shift open since %(since)s, float %(float)s.': 'Quart ouvert depuis %(since)s, fonds de caisse %(float)s.',
    'Keys:': 'Touches :',
    'tickets': 'billets',
    'next zone': 'zone suivante',
    'hold best seats': 'retenir les meilleures places',
    'find an order': 'trouver une commande',
    'Hold best seats': 'Retenir les meilleures places',
    'Pick on the map': 'Choisir sur le plan',
    'No performance is on sale at the counter.': "Aucune représentation n'est en vente au guichet.",
    'Find an order': 'Trouver une commande',
    'New seats for an exchange of order %(code)s': "Nouvelles places pour l'échange de la commande %(code)s",
    'back to the order': 'retour à la commande',
    'Sell': 'Vendre',
    'Order code, name or email': 'Code de commande, nom ou courriel',
    'Close shift': 'Fermer le quart',
    'Open a shift': 'Ouvrir un quart',
    'Cash float in the drawer': 'Fonds de caisse dans le tiroir',
    'Open the drawer': 'Ouvrir le tiroir',
    'Print tickets': 'Imprimer les billets',
    'PDF tickets': 'Billets PDF',
    'Refund the whole order?': 'Rembourser toute la commande?',
    'Refund': 'Rembourser',
    'Exchange seats': 'Échanger des places',
    'Tickets to exchange': 'Billets à échanger',
    'New seats: best available in': 'Nouvelles places : les meilleures en',
    'How many': 'Combien',
    'Hold the new seats': 'Retenir les nouvelles places',
    'Or pick them on the map:': 'Ou choisissez-les sur le plan :',
    'Reserved, to pay by %(when)s': "Réservé, à payer d'ici le %(when)s",
    'Take payment': 'Encaisser',
    'printed once': 'imprimé une fois',
    'History': 'Historique',
    'REPRINT': 'RÉIMPRESSION',
    'Cancel the sale': 'Annuler la vente',
    'Payment': 'Paiement',
    'Shift report': 'Rapport de quart',
    'float': 'fonds de caisse',
    'Print': 'Imprimer',
    'New sale': 'Nouvelle vente',
    'Nothing is on sale by phone.': "Rien n'est en vente par téléphone.",
    'Notes': 'Notes',
    'Add a note': 'Ajouter une note',
    'Save note': 'Enregistrer la note',
    'Past orders': 'Commandes passées',
    'No orders yet.': "Aucune commande pour l'instant.",
    'Find the caller': "Trouver l'appelant",
    'Nobody matches “%(q)s”.': 'Personne ne correspond à « %(q)s ».',
    'New caller': 'Nouvel appelant',
    'Create': 'Créer',
    'Phone, email or name': 'Téléphone, courriel ou nom',
    'Find a caller': 'Trouver un appelant',
    'pay by': "à payer d'ici le",
    'Cancel the reservation': 'Annuler la réservation',
    'Send the confirmation again': 'Renvoyer la confirmation',
    'Extend the hold': 'Prolonger la réservation',
    'Release': 'Libérer',
    'Reserve, pay later': 'Réserver, payer plus tard',
    'Pay by': "Payer d'ici le",
    'Reserve': 'Réserver',
    'Confirm with your bank': 'Confirmez auprès de votre banque',
    'Your bank asks you to confirm this payment. Follow its steps; your seats stay held meanwhile.': 'Votre banque vous demande de confirmer ce paiement. Suivez ses étapes ; vos places restent réservées entre-temps.',
    'If nothing happens, press the button.': 'Si rien ne se passe, appuyez sur le bouton.',
    'I have answered my bank': "J'ai répondu à ma banque",
    'Card': 'Carte',
    "You type your card into the payment provider's own field: it never reaches the box office.": 'Vous saisissez votre carte dans le champ du prestataire de paiement : elle ne parvient jamais à la billetterie.',
    # receipts and pricing admin
    "Receipt": "Reçu", "Price to pay": "Montant à payer", "Price type": "Type de tarif",
    "List price": "Prix régulier", "Discount": "Rabais", "Fee": "Frais", "Fees": "Frais", "Fee per order":
    "Frais par commande", "Subtotal": "Sous-total", "Taxes": "Taxes", "Fees kept on exchange":
    "Frais retenus lors de l'échange", "Prices include taxes:": "Les prix incluent les taxes :",
    "Promo code": "Code promo", "Complimentary": "Billet de faveur", "complimentary": "billet de faveur",
    "discount": "rabais", "fee": "frais", "%(name)s %(percent)s %% (no. %(registration)s)":
    "%(name)s %(percent)s\u00a0%% (nº %(registration)s)", "%(name)s %(percent)s %%": "%(name)s %(percent)s\u00a0%%",
    # prices at the doors
    "Apply the code": "Appliquer le code", "Access code": "Code d'accès",
    "Reason for the complimentary tickets": "Motif des billets de faveur",
    "%(type)s (complimentary)": "%(type)s (billet de faveur)",
    "Price type for %(place)s": "Tarif pour %(place)s", "Choose a price type for %(place)s.": "Choisissez un tarif pour %(place)s.",
    "No presale is open for this performance now.": "Aucune prévente n'est ouverte pour cette représentation en ce moment.",
    "The online sale of this performance is closed.": "La vente en ligne de cette représentation est fermée.",
    "Your access code opens the presale: choose your seats.": "Votre code d'accès ouvre la prévente : choisissez vos places.",
    "Check your tickets:": "Vérifiez vos billets :",
    "With these choices the total is %(total)s; nothing was paid. Check it, then go on.":
    "Avec ces choix, le total est de %(total)s; rien n'a été payé. Vérifiez-le, puis continuez.",
    "Ticket": "Billet",
    "Discount (%(code)s)": "Rabais (%(code)s)", "Booking fees": "Frais de service",
    "including %(name)s (%(rate)s %%)": "dont %(name)s (%(rate)s %%)", "Prices include taxes.": "Les prix comprennent les taxes.",
    "The total shows here once the choices above can be sold.":
    "Le total s'affiche ici dès que les choix ci-dessus peuvent être vendus.",
    "Your tickets": "Vos billets", "Presale: %(name)s": "Prévente : %(name)s",
    "Open now to holders of an access code, until %(until)s.":
    "Ouverte maintenant aux détenteurs d'un code d'accès, jusqu'au %(until)s.",
    "It sells:": "Elle comprend :", "Use this code": "Utiliser ce code",
    "Your access code %(code)s opens the presale: choose your seats below.":
    "Votre code d'accès %(code)s ouvre la prévente : choisissez vos places ci-dessous.",
    "%(zone)s — from %(price)s": "%(zone)s — à partir de %(price)s", "from %(price)s": "à partir de %(price)s",
    "Price types: ↑ ↓ choose a ticket, then its number.": "Tarifs : ↑ ↓ choisissez un billet, puis le numéro de son tarif.",
    "{type} is not sold for this ticket.": "{type} n'est pas vendu pour ce billet.",
    "Needed for complimentary tickets (press, guests): it is kept with the order.":
    "Requis pour les billets de faveur (presse, invités) : il est conservé avec la commande.",
    "Update the total": "Mettre à jour le total", "Complimentary tickets: %(reason)s": "Billets de faveur : %(reason)s",
    "A reservation keeps these prices: it is paid later at the total above.":
    "Une réservation garde ces prix : elle se paie plus tard au total ci-dessus.",
    # the office and the door
    "Door": "Entrée", "Which performance?": "Quelle représentation?", "Tonight": "Ce soir",
    "No performance to come.": "Aucune représentation à venir.", "Other performance": "Autre représentation",
    "Admit": "Faire entrer", "Admitted": "Entrée validée", "Refused": "Refusé", "Ready": "Prêt", "in": "entrés",
    "No ticket for this performance matches “%(q)s”.": "Aucun billet de cette représentation ne correspond à « %(q)s ».",
    "No network: scan kept on this device, sent when the network is back.":
    "Pas de réseau : le scan est gardé sur cet appareil et sera envoyé au retour du réseau.",
    "Signed out: sign in again; the scan is kept on this device.":
    "Session fermée : reconnectez-vous; le scan est gardé sur cet appareil.",
    "Scans waiting to be sent:": "Scans en attente d'envoi :", "Kept": "Gardé", "Sent late": "Envoyé en différé",
    "The camera could not be started": "La caméra n'a pas pu démarrer",
    "Scan a ticket, type its code or find the guest by name.":
    "Scannez un billet, tapez son code ou cherchez la personne par son nom.",
    "Scan with the camera": "Scanner avec la caméra", "Stop the camera": "Arrêter la caméra",
    "Ticket code": "Code du billet", "Check in": "Valider l'entrée",
    "Find a guest (name, email or order code)": "Chercher une personne (nom, courriel ou code de commande)",
    "Find": "Chercher", "This door": "Cette entrée", "e.g. North gate": "p. ex. Porte nord",
    "this scan's time is too far from now: check the device's clock":
    "l'heure de ce scan est trop éloignée de maintenant : vérifiez l'horloge de l'appareil",
    "this scan's time is not a date and time": "l'heure de ce scan n'est pas une date et une heure",
    "no ticket has this code": "aucun billet n'a ce code", "this ticket is for %(event)s on %(when)s":
    "ce billet est pour %(event)s le %(when)s", "this ticket was refunded or exchanged and is void":
    "ce billet a été remboursé ou échangé et n'est plus valide",
    "already checked in at %(time)s at %(door)s": "déjà entré à %(time)s par %(door)s",
    "already checked in at %(time)s": "déjà entré à %(time)s",
    "Organizer's office": "Bureau de l'organisateur", "Organizer": "Organisateur", "Counter clerk": "Guichetier",
    "Phone operator": "Téléphoniste", "Door staff": "Contrôle à l'entrée", "Password again": "Mot de passe (encore)",
    "The two passwords differ.": "Les deux mots de passe diffèrent.", "Roles": "Rôles", "Name": "Nom",
    "Set a new password": "Donner un nouveau mot de passe", "%(user)s has a new password.":
    "%(user)s a un nouveau mot de passe.", "New password for %(user)s": "Nouveau mot de passe pour %(user)s",
    "Disabled: %(n)d": "Désactivés : %(n)d", "Enabled: %(n)d": "Réactivés : %(n)d",
    "Disable (no more sign-in)": "Désactiver (plus de connexion)", "Enable": "Réactiver",
    "staff account": "compte du personnel", "staff accounts": "comptes du personnel", "New password": "Nouveau mot de passe",
    "Type a new password for %(user)s and give it to them; they sign in with it at once.":
    "Tapez un nouveau mot de passe pour %(user)s et donnez-le-lui; il sert dès la prochaine connexion.",
    "Set the password": "Enregistrer le mot de passe",
    "only organizers manage staff accounts": "seuls les organisateurs gèrent les comptes du personnel",
    "you may not change this account": "vous ne pouvez pas modifier ce compte",
    "you may not grant the role %(role)s": "vous ne pouvez pas donner le rôle %(role)s",
    "give the account a role": "donnez un rôle au compte", "this username is taken": "ce nom d'utilisateur est pris",
    "time zone": "fuseau horaire", "Starts (venue time)": "Début (heure de la salle)",
    "The venue's clock, e.g. America/Toronto: its performances' times are shown and entered in it.":
    "L'heure de la salle, p. ex. America/Toronto : les heures de ses représentations sont affichées et saisies à cette heure.",
    "%(zone)s is not a time zone; give one like America/Toronto or Europe/Paris.":
    "%(zone)s n'est pas un fuseau horaire; donnez-en un comme America/Toronto ou Europe/Paris.",
    "Times on the clock of the venue (%(zone)s)": "Heures de la salle (%(zone)s)",
    "Expected cash": "Comptant attendu", "Counted cash": "Comptant compté", "Expected on cards": "Cartes attendu",
    "Counted on cards": "Cartes compté", "Difference": "Écart", "open": "ouvert", "Per method": "Par mode de paiement",
    "Method": "Mode", "Expected": "Attendu", "Counted": "Compté", "kind": "genre", "Payments": "Paiements",
    "Refunds": "Remboursements", "Order": "Commande", "Performance": "Représentation", "Channel": "Canal",
    "Taken by the listed payments: %(paid)s; paid back: %(refunded)s; net: %(net)s.":
    "Encaissé par les paiements listés : %(paid)s; remboursé : %(refunded)s; net : %(net)s.",
    "performance dashboard": "tableau de bord de représentation",
    "performance dashboards": "tableaux de bord des représentations", "Dashboard": "Tableau de bord",
    "Open": "Ouvrir", "Dashboard: %(p)s": "Tableau de bord : %(p)s", "Tickets sold that day": "Billets vendus ce jour-là",
    "Tickets sold so far": "Billets vendus à ce jour", "Net takings that day": "Recettes nettes du jour",
    "Net takings": "Recettes nettes", "Comps": "Billets de faveur", "Scanned in": "Entrés",
    "Sales over time": "Ventes au fil du temps", "Tickets sold and takings per day": "Billets vendus et recettes par jour",
    "Places by zone": "Places par zone", "Reserved": "Réservées", "Not on sale yet.": "Pas encore en vente.",
    "By channel": "Par canal", "Nothing sold yet.": "Rien de vendu pour le moment.",
    "By payment method": "Par mode de paiement", "No payment yet.": "Aucun paiement pour le moment.",
    "%(n)s complimentary ticket (list price %(value)s).": ("%(n)s billet de faveur (prix affiché %(value)s).",
                                                           "%(n)s billets de faveur (prix affiché %(value)s)."),
    "By day": "Par jour", "Day": "Jour",
    "What": "Quoi", "Orders": "Commandes", "Tickets (attendees)": "Billets (participants)",
    "Payments and refunds": "Paiements et remboursements", "Format": "Format", "All performances": "Toutes les représentations",
    "From (day)": "Du (jour)", "To (day, included)": "Au (jour, inclus)", "Exports": "Exports",
    "Other exports (dates, every performance)…": "Autres exports (dates, toutes les représentations)…",
    "Orders, tickets with their holders, or payments and refunds, for a performance and/or a range of days.":
    "Commandes, billets avec leurs détenteurs, ou paiements et remboursements, pour une représentation et/ou une période.",
    "Download": "Télécharger", "Created": "Créée", "Status": "État", "Phone": "Téléphone", "Currency": "Devise",
    "Comp reason": "Motif de gratuité", "Section": "Section",
    "Row": "Rangée", "Seat": "Siège", "Checked in": "Entré",
    "Date": "Date", "Kind": "Genre", "Amount": "Montant", "Reference": "Référence", "Shift": "Quart",
    "Clerk": "Guichetier", "yes": "oui", "refund": "remboursement", "payment": "paiement",
    "Online shop": "Boutique en ligne", "Box-office counter": "Guichet", "Telephone": "Téléphone",
    "Seated (numbered seats)": "Places assises numérotées", "Standing (a capacity)": "Debout (jauge)",
    "Wheelchair space": "Place pour fauteuil roulant", "Most tickets one order may hold.":
    "Nombre maximal de billets par commande.", "Colour on the seat map": "Couleur sur le plan de salle",
    "Zone": "Zone", "Tickets": "Billets", "The seat selection is not valid.": "La sélection de places n'est pas valide.",
    "At most %(n)d tickets per order.": "Au plus %(n)d billets par commande.",
    "Pick seats on the map, or choose a zone and a number of tickets.":
    "Choisissez des places sur le plan, ou une zone et un nombre de billets.",
    "How many tickets?": "Combien de billets?", "Full name": "Nom complet", "Email": "Courriel",
    "Phone (optional)": "Téléphone (facultatif)", "Card number": "Numéro de carte",
    "Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines.":
    "Cartes de test : 4242 4242 4242 4242 est acceptée, 4000 0000 0000 0002 est refusée.",
    "Those seats could not be held: %(reason)s": "Ces places n'ont pas pu être réservées : %(reason)s",
    "Your hold expired and the seats were released. Please choose again.":
    "Votre réservation a expiré et les places ont été libérées. Veuillez choisir à nouveau.",
    "Your seats were released.": "Vos places ont été libérées.", "Your basket is empty.": "Votre panier est vide.",
    "Payment declined: %(reason)s. Your seats are still held.":
    "Paiement refusé : %(reason)s. Vos places sont toujours réservées.",
    "No such order": "Commande introuvable", "This order has no valid tickets": "Cette commande n'a aucun billet valide",
    "Available": "Disponible", "Held": "Réservée", "Sold": "Vendue", "Blocked": "Bloquée", "Active": "Active",
    "Released": "Libérée", "Expired": "Expirée", "Awaiting payment": "En attente de paiement", "Paid": "Payée",
    "Failed": "Échouée", "Refunded": "Remboursée", "Cancelled": "Annulée", "Valid": "Valide", "Void": "Annulé",
    "Card (online)": "Carte (en ligne)", "Cash": "Comptant", "Card terminal": "Terminal de paiement",
    "Card by phone": "Carte par téléphone", "Approved": "Approuvé", "Declined": "Refusé",
    "Box office": "Billetterie", "Skip to content": "Aller au contenu", "Language": "Langue",
    "Your basket": "Votre panier", "Back to the seat map": "Retour au plan de salle",
    "See what is on sale": "Voir ce qui est en vente", "Seats held for": "Places réservées pendant",
    "Place": "Place", "Price": "Prix", "Total": "Total", "Release these seats": "Libérer ces places",
    "Checkout": "Paiement", "Pay %(total)s": "Payer %(total)s", "On sale": "En vente", "From %(price)s": "À partir de %(price)s",
    "Sold out": "Complet", "Few left": "Dernières places", "On sale %(when)s": "En vente le %(when)s",
    "Choose seats": "Choisir des places", "Nothing is on sale right now.": "Rien n'est en vente pour le moment.",
    "Order %(code)s": "Commande %(code)s",
    "Thank you! Your tickets are below; a confirmation was sent to %(email)s.":
    "Merci! Vos billets sont ci-dessous; une confirmation a été envoyée à %(email)s.",
    "Download the tickets (PDF)": "Télécharger les billets (PDF)",
    "Bookmark this page: it is your private link to these tickets, no account needed.":
    "Gardez cette page en favori : c'est votre lien privé vers ces billets, sans compte.",
    "QR code of the ticket": "Code QR du billet", "You have seats on hold: go to your basket":
    "Vous avez des places réservées : aller au panier", "Prices": "Prix", "%(n)s left": "%(n)s restantes",
    "Taken": "Prise", "Your choice": "Votre choix", "Best available": "Meilleures places disponibles",
    "Find seats": "Trouver des places", "standing": "debout", "Hold standing places": "Réserver des places debout",
    "Pick your seats": "Choisissez vos places",
    "Select up to %(n)s seats with a click, or with Tab and Enter. Taken seats cannot be selected.":
    "Sélectionnez jusqu'à %(n)s places d'un clic, ou avec Tab et Entrée. Les places prises ne peuvent pas être choisies.",
    "Zoom": "Zoom", "Zoom out": "Dézoomer", "Zoom in": "Zoomer", "Seat map": "Plan de salle",
    "%(section)s, row %(row)s, seat %(number)s": "%(section)s, rangée %(row)s, siège %(number)s",
    "wheelchair space": "place pour fauteuil roulant", "restricted view": "visibilité réduite",
    "No seat selected": "Aucune place choisie", "Hold selected seats": "Réserver les places choisies",
    "{n} selected": "{n} choisie(s)", "You can choose at most {n} seats.": "Vous pouvez choisir au plus {n} places.",
    # Ballots
    "Ballot": "Tirage au sort", "Ballots open": "Tirages au sort ouverts", "Ballot: %(title)s": "Tirage au sort : %(title)s",
    "applications close %(closes)s": "inscriptions jusqu'au %(closes)s", "Apply": "S'inscrire",
    "Demand is far above the number of seats: apply now, and a random draw at the close decides.":
    "La demande dépasse de loin le nombre de places : inscrivez-vous maintenant, un tirage au sort décidera à la clôture.",
    "Demand is far above the number of seats: apply now, and a random draw at the close decides. "
    "Applying early gives no advantage.":
    "La demande dépasse de loin le nombre de places : inscrivez-vous maintenant, un tirage au sort décidera à la "
    "clôture. S'inscrire tôt ne donne aucun avantage.",
    "Your application is in. We will email you after the draw.":
    "Votre inscription est enregistrée. Nous vous écrirons après le tirage.",
    "Pay for your ballot tickets": "Payer vos billets du tirage au sort",
    "You were drawn: %(n)s tickets are held for you until %(when)s.":
    "Vous avez été tiré au sort : %(n)s billets vous sont réservés jusqu'au %(when)s.",
    "Pay": "Payer", "See your tickets": "Voir vos billets",
    "Your payment is being processed; please wait a moment and reload.":
    "Votre paiement est en cours; patientez un instant puis rechargez la page.",
    "Applied": "Inscrit", "Won, to pay": "Tiré au sort, à payer", "Not drawn": "Non tiré", "Lapsed": "Expiré",
    # The waiting room, the staff sign-in, and what the admin says of them.
    "Too many attempts from your network; wait a minute.":
    "Trop de tentatives depuis votre réseau; patientez une minute.",
    "Reserved, to pay": "Réservée, à payer",
    "The on-sale time: who arrives before is put in random order.":
    "L'heure de mise en vente : qui arrive avant est placé dans un ordre aléatoire.",
    "Visitors let into the shop per minute; change it live.":
    "Visiteurs admis dans la boutique par minute; modifiable en direct.",
    "How long an admission pass is valid.": "Durée de validité d'un laissez-passer.",
    "How long a winner has to pay.": "Délai dont dispose un gagnant pour payer.",
    "Kept so the draw can be audited.": "Conservé pour que le tirage puisse être vérifié.",
    "Staff sign-in": "Connexion du personnel", "Wrong user name or password.":
    "Nom d'utilisateur ou mot de passe incorrect.", "User name": "Nom d'utilisateur", "Password": "Mot de passe",
    "Sign in": "Se connecter", "Sign out": "Se déconnecter", "Staff": "Personnel", "STAGE": "SCÈNE",
    "Waiting room": "Salle d'attente", "You are in the queue": "Vous êtes dans la file d'attente",
    "The sale has not started yet. When it opens, everyone who is here is put in a random order: there is no "
    "need to refresh.": "La vente n'a pas encore commencé. À l'ouverture, toutes les personnes présentes sont "
    "placées dans un ordre aléatoire : inutile de rafraîchir la page.",
    "%(n)s person waiting.": ("%(n)s personne en attente.", "%(n)s personnes en attente."),
    "Sorry, this performance is sold out.": "Désolé, cette représentation est complète.",
    "%(n)s people ahead of you": "%(n)s personnes devant vous", "Estimated wait:": "Attente estimée :",
    "Progress": "Progression",
    "Keep this page open; you will be let in automatically.":
    "Gardez cette page ouverte; vous serez admis automatiquement.",
    # Sign-in throttling, refusals and error pages
    "Too many failed sign-ins": "Trop de tentatives de connexion",
    "Too many failed sign-ins from this address. Try again in %(minutes)s minute.": (
        "Trop de tentatives de connexion depuis cette adresse. Réessayez dans %(minutes)s minute.",
        "Trop de tentatives de connexion depuis cette adresse. Réessayez dans %(minutes)s minutes."),
    "If you have forgotten your password, ask an organizer to reset it.":
    "Si vous avez oublié votre mot de passe, demandez à un organisateur de le réinitialiser.",
    "The request's length is not a number.": "La longueur de la requête n'est pas un nombre.",
    "The request is too large (at most %(size)s bytes).": "La requête est trop volumineuse (au plus %(size)s octets).",
    "The request holds a NUL character.": "La requête contient un caractère NUL.",
    "Bad request": "Requête invalide", "The request was refused.": "La requête a été refusée.",
    "Server error": "Erreur du serveur",
    "Something went wrong on our side. Please try again.": "Un problème est survenu de notre côté. Veuillez réessayer.",
    "No such page.": "Cette page n'existe pas.", "Not found": "Introuvable",
    "The request is too large.": "La requête est trop volumineuse.", "Too large": "Trop volumineux",
    "The request was refused (too large, or for a host not served here).":
    "La requête a été refusée (trop volumineuse, ou pour un hôte qui n'est pas servi ici).",
    "You may not open this page.": "Vous ne pouvez pas ouvrir cette page.", "Forbidden": "Interdit",
    "The box office is briefly unavailable; please try again in a moment.":
    "La billetterie est brièvement indisponible; veuillez réessayer dans un instant.",
    "Briefly unavailable": "Brièvement indisponible",
    "The request holds a value that cannot be stored.": "La requête contient une valeur qui ne peut être enregistrée.",
    "Back to the box office": "Retour à la billetterie",
    "Please try again in a moment": "Veuillez réessayer dans un instant",
    "The waiting room for this performance is unavailable for a moment. Nothing was bought or held: please try "
    "again shortly.": "La salle d'attente de cette représentation est indisponible pour un instant. Rien n'a été "
    "acheté ni réservé : veuillez réessayer sous peu.",
    "Try again": "Réessayer", "Check the form.": "Vérifiez le formulaire.",
    "Card amount": "Montant par carte",
    "Choose a section, then up to %(n)s seats: tap or click a seat, or Tab into the map, move with the arrow "
    "keys and pick with Enter or Space.": "Choisissez une section, puis jusqu'à %(n)s places : touchez ou cliquez "
    "une place, ou entrez dans le plan avec Tab, déplacez-vous avec les flèches et choisissez avec Entrée ou Espace.",
    "Sections": "Sections", "%(n)s of %(total)s seat left": ("%(n)s place libre sur %(total)s",
                                                           "%(n)s places libres sur %(total)s"),
    "Key": "Légende", "Free": "Libre", "Restricted view": "Visibilité réduite",
    "Choose a section to see its seats.": "Choisissez une section pour voir ses places.",
    "Picking seats on the map needs JavaScript; without it, use Best available.":
        "Choisir ses places sur le plan demande JavaScript ; sans lui, utilisez Meilleures places disponibles.",
    "No such section": "Section introuvable",
    "Give an address on this site, starting with /, like /static/demo/poster.svg.":
    "Donnez une adresse sur ce site, commençant par /, comme /static/demo/poster.svg.",
    "image address": "adresse de l'image",
    "An image on this site, shown on the event's pages, e.g. /static/demo/poster.svg.":
    "Une image sur ce site, montrée sur les pages de l'événement, p. ex. /static/demo/poster.svg.",
    "doors open at": "ouverture des portes à", "The payment was not made:": "Le paiement n'a pas été fait :",
    "One minute left: pay now, or your seats are released.":
    "Plus qu'une minute : payez maintenant, sinon vos places seront libérées.",
    "When": "Quand", "Doors open": "Ouverture des portes", "Where": "Où",
    "Your tickets for %(event)s — order %(code)s": "Vos billets pour %(event)s — commande %(code)s",
    "Reminder: pay for your reservation %(code)s": "Rappel : payez votre réservation %(code)s",
    "Hello %(name)s,": "Bonjour %(name)s,", "Thank you for your order %(code)s.": "Merci pour votre commande %(code)s.",
    "Your tickets:": "Vos billets :", "ticket code": "code du billet", "Total paid:": "Total payé :",
    "Your order, with your tickets to print or show at the door, is always here:":
    "Votre commande, avec vos billets à imprimer ou à présenter à l'entrée, est toujours ici :",
    "Keep this link private: anyone who has it can see your tickets.":
    "Gardez ce lien privé : quiconque l'a peut voir vos billets.",
    "Your reservation %(code)s for %(title)s (%(when)s)\nis held for you until %(until)s.":
    "Votre réservation %(code)s pour %(title)s (%(when)s)\nest retenue pour vous jusqu'au %(until)s.",
    "Total to pay: %(total)s %(currency)s. Call us or come to the box office to pay;\nafter the deadline the seats "
    "are released.": "Total à payer : %(total)s %(currency)s. Appelez-nous ou passez à la billetterie pour payer;"
    "\naprès l'échéance, les places sont libérées.",
    "Tickets %(code)s": "Billets %(code)s", "Order %(code)s — %(name)s": "Commande %(code)s — %(name)s",
}

path = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
po = polib.pofile(str(path))
po.metadata["Language"] = "fr"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
missing = []
for entry in po:
    if entry.msgid in FR:
        if entry.msgid_plural:  # (singular, plural), or one text for both
            one, many = FR[entry.msgid] if isinstance(FR[entry.msgid], tuple) else (FR[entry.msgid],) * 2
            entry.msgstr_plural = {0: one, 1: many}
        else:
            entry.msgstr = FR[entry.msgid]
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    else:
        missing.append(entry.msgid)
po.save()
po.save_as_mofile(str(path.with_suffix(".mo")))
print(f"{len(po) - len(missing)} translated; missing: {missing}")
