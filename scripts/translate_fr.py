"""Fill locale/fr from this table and compile it (no GNU gettext needed):

    .venv/bin/python manage.py makemessages -l fr --ignore=.venv --ignore=.stack --ignore=tests
    .venv/bin/python manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=.stack --ignore=tests
    .venv/bin/python scripts/translate_fr.py

The second catalogue (djangojs) holds the few words of Django's admin scripts whose French
the box office writes itself (scripts/djangojs_words.js names them); Django's French has
the rest.
"""

import re
from pathlib import Path

import polib

FR = {
    # a page's address opened with a method it does not take
    'This address opens from a button on its page, not typed in or reloaded.': "Cette adresse s'ouvre par un bouton de sa page, pas en la tapant ni en rechargeant la page.",
    'Not from here': 'Pas par ici',
    'Back to the shop': 'Retour à la boutique',
    'This basket is already paid: here is your order.': 'Ce panier est déjà payé : voici votre commande.',
    'Shift of %(clerk)s from %(when)s': 'Quart de travail de %(clerk)s depuis le %(when)s',
    'The seats are held until %(time)s.': "Les places sont retenues jusqu'à %(time)s.",
    'Rate (%)': 'Taux (%)',
    '5 for 5 %, 9.975 for 9.975 %.': '5 pour 5 %, 9,975 pour 9,975 %.',
    'Printed on receipts beside the tax.': 'Imprimé sur les reçus à côté de la taxe.',
    'created by': 'créé par',
    "buyer's name": "nom de l'acheteur",
    "buyer's phone": "téléphone de l'acheteur",
    'approved by': 'approuvé par',
    '%(email)s is already the address of %(name)s: here is their page (nothing of it was changed).': "%(email)s est déjà l'adresse de %(name)s : voici sa fiche (rien n'y a été changé).",
    # payments by phone and by link
    'the payment provider did not answer: nothing was sold and the places are still held; anything it took is paid back. Try again in a moment': "le prestataire de paiement n'a pas répondu : rien n'a été vendu et les places sont toujours retenues ; ce qu'il aurait prélevé est remboursé. Réessayez dans un instant",
    'no such order': 'commande introuvable',
    'a payment link is paid by card': 'un lien de paiement se paie par carte',
    'order %(code)s is being paid right now; try again in a few minutes': 'la commande %(code)s est en cours de paiement ; réessayez dans quelques minutes',
    "the card's bank asks the cardholder to confirm the payment, which cannot be done by phone; nothing was charged: send the caller a payment link instead": "la banque de la carte demande au titulaire de confirmer le paiement, ce qui est impossible par téléphone ; rien n'a été prélevé : envoyez plutôt un lien de paiement à l'appelant",
    "the card's bank did not confirm the payment": "la banque de la carte n'a pas confirmé le paiement",
    # the shop's light mode
    'Many people are buying right now: the shop runs in a lighter mode. Best available finds you the best seats left; the seat map shows the situation a few seconds ago.': "Beaucoup de gens achètent en ce moment : la boutique fonctionne en mode allégé. La meilleure place disponible vous trouve les meilleures places restantes ; le plan de salle montre la situation d'il y a quelques secondes.",
    'Choosing seats one by one is paused while the shop is this busy: ask for the number of tickets above and best available holds the best seats left together.': "Le choix des places une à une est suspendu tant que la boutique est aussi chargée : demandez le nombre de billets ci-dessus et la meilleure place disponible retient ensemble les meilleures places restantes.",
    'automatic: light while the public side is near saturation': 'automatique : allégé tant que le côté public est proche de la saturation',
    'normal, whatever the load': 'normal, quelle que soit la charge',
    'light: best available and a seat map without live refresh': 'allégé : meilleure place disponible et plan de salle sans mise à jour en direct',
    'shop mode': 'mode de la boutique',
    'The staff doors are never made light.': "Les accès du personnel ne sont jamais allégés.",
    'the shop now': 'la boutique maintenant',
    "unknown (the waiting room's Redis does not answer)": "inconnu (le Redis de la file d'attente ne répond pas)",
    'light': 'allégé',
    'normal': 'normal',
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
    'Shown with the price and on the ticket, e.g. “Show student ID at the door”.': "Affichée avec le prix et sur le billet, p. ex. «\u00a0Présentez votre carte étudiante à l'entrée\u00a0».",
    'Free tickets given by staff with a reason (press, guests); never offered to shoppers.': 'Billets gratuits remis par le personnel avec un motif (presse, invités) ; jamais proposés en ligne.',
    'amount': 'montant',
    'The zone belongs to another performance.': 'La zone appartient à une autre représentation.',
    'Invalid token.': 'Jeton invalide.',
    'User inactive or deleted.': 'Utilisateur inactif ou supprimé.',
    'Open a shift first.': "Ouvrez d'abord un quart.",
    'Nothing held: %(reason)s': "Rien n'est retenu : %(reason)s",
    'The hold lapsed; the seats were released. Start the sale again.': 'La retenue a expiré ; les places ont été libérées. Recommencez la vente.',
    'Sold. Change due: %(change)s': 'Vendu. Monnaie à rendre : %(change)s',
    'Tick the tickets to exchange.': 'Cochez les billets à échanger.',
    'Not exchanged: %(reason)s': 'Non échangé : %(reason)s',
    "the supervisor's name or password is wrong, or they do not sign refunds":
        "le nom ou le mot de passe du superviseur est erroné, ou il ne signe pas de remboursements",
    'Exchanged. Change due: %(change)s': 'Échangé. Monnaie à rendre : %(change)s',
    'Exchanged. Pay back %(amount)s.': 'Échangé. Rembourser %(amount)s.',
    'Exchanged, no difference to pay.': 'Échangé, aucune différence à payer.',
    'Not refunded: %(reason)s': 'Non remboursé : %(reason)s',
    "Not refunded: the supervisor's name or password is wrong, or they do not sign refunds.":
        "Non remboursé : le nom ou le mot de passe du superviseur est erroné, ou il ne signe pas de remboursements.",
    'Not paid: %(reason)s': 'Non payé : %(reason)s',
    'Paid. Change due: %(change)s': 'Payé. Monnaie à rendre : %(change)s',
    'No order matches “%(q)s”.': 'Aucune commande ne correspond à «\u00a0%(q)s\u00a0».',
    'You have no open shift.': "Vous n'avez aucun quart ouvert.",
    '%(field)s must be an amount, like 20.00': '%(field)s doit être un montant, comme 20,00',
    '%(field)s cannot be negative': '%(field)s ne peut pas être négatif',
    '%(field)s is more than %(max)s: check the amount': '%(field)s dépasse %(max)s : vérifiez le montant',
    'The quantity must be a whole number.': 'La quantité doit être un nombre entier.',
    'Cash tendered': 'Argent reçu',
    'Cash float': 'Fonds de caisse',
    'Write a note of 1 to 2000 characters.': 'Écrivez une note de 1 à 2000 caractères.',
    'The hold lapsed; the seats were released.': 'La retenue a expiré ; les places ont été libérées.',
    'Reserved until %(when)s.': "Réservé jusqu'au %(when)s.",
    'Paid. The tickets are on their way to %(email)s.': 'Payé. Les billets sont en route vers %(email)s.',
    'Enter the payment deadline as a date and time.': 'Entrez la date limite de paiement (date et heure).',
    'These seats are order %(code)s: cancel that order instead.': 'Ces places sont la commande %(code)s : annulez plutôt cette commande.',
    'Cancelled; the seats are back on sale.': 'Annulé ; les places sont remises en vente.',
    'The confirmation will be sent again to %(email)s.': 'La confirmation sera renvoyée à %(email)s.',
    'Enter your card in the card field.': 'Entrez votre carte dans le champ de la carte.',
    'Test cards (the digits alone, the year in two digits): 4242424242424242 approves, 4000000000000002 is declined, 4000002500003155 asks your bank.': "Cartes de test (les chiffres seuls, l'année en deux chiffres) : 4242424242424242 est acceptée, 4000000000000002 est refusée, 4000002500003155 fait intervenir votre banque.",
    'Your bank has not answered yet; please wait a moment and reload.': "Votre banque n'a pas encore répondu ; patientez un instant puis rechargez la page.",
    'The payment was not made: %(reason)s. Your seats are still held.': "Le paiement n'a pas été fait : %(reason)s. Vos places sont toujours retenues.",
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
    'Held for': 'Places retenues encore',
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
    'Refund': 'Rembourser',
    'Exchange seats': 'Échanger des places',
    'Tickets to exchange': 'Billets à échanger',
    'New seats: best available in': 'Nouvelles places : les meilleures en',
    'How many': 'Combien',
    'Hold the new seats': 'Retenir les nouvelles places',
    'Or pick them on the map:': 'Ou choisissez-les sur le plan :',
    'Reserved, to pay by %(when)s': "Réservé, à payer d'ici le %(when)s",
    'Take payment': 'Encaisser',
    'printed once': ('imprimé une fois', 'imprimé %(n)s fois'),
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
    'Nobody matches “%(q)s”.': 'Personne ne correspond à «\u00a0%(q)s\u00a0».',
    'New caller': 'Nouvel appelant',
    'Create': 'Créer',
    'Phone, email or name': 'Téléphone, courriel ou nom',
    'Find a caller': 'Trouver un appelant',
    'pay by': "à payer d'ici le",
    'Cancel the reservation': 'Annuler la réservation',
    'Send the confirmation again': 'Renvoyer la confirmation',
    'Extend the hold': 'Prolonger la retenue',
    'Release': 'Libérer',
    'Reserve, pay later': 'Réserver, payer plus tard',
    'Pay by': "Payer d'ici le",
    'Reserve': 'Réserver',
    'Confirm with your bank': 'Confirmez auprès de votre banque',
    'Your bank asks you to confirm this payment. Follow its steps; your seats stay held meanwhile.': 'Votre banque vous demande de confirmer ce paiement. Suivez ses étapes ; vos places restent retenues entre-temps.',
    'If nothing happens, press the button.': 'Si rien ne se passe, appuyez sur le bouton.',
    'I have answered my bank': "J'ai répondu à ma banque",
    'Card': 'Carte',
    "You type your card into the payment provider's own field: it never reaches the box office.": 'Vous saisissez votre carte dans le champ du prestataire de paiement : elle ne parvient jamais à la billetterie.',
    # receipts and pricing admin
    "Receipt": "Reçu", "Price to pay": "Montant à payer", "Price type": "Tarif",
    "Discount": "Rabais", "Fee": "Frais", "Fees": "Frais", "Fee per order":
    "Frais par commande", "Subtotal": "Sous-total", "Taxes": "Taxes", "Fees kept on exchange":
    "Frais retenus lors de l'échange", "Prices include taxes:": "Les prix incluent les taxes :",
    "Promo code": "Code promo", "Complimentary": "Billet de faveur", "complimentary": "billet de faveur",
    "discount": "rabais", "fee": "frais", "%(name)s %(rate)s (no. %(registration)s)":
    "%(name)s %(rate)s (nº\u00a0%(registration)s)", "%(name)s %(rate)s": "%(name)s %(rate)s",
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
    "Avec ces choix, le total est de %(total)s\u00a0; rien n'a été payé. Vérifiez-le, puis continuez.",
    "Ticket": "Billet",
    "Discount (%(code)s)": "Rabais (%(code)s)", "Booking fees": "Frais de service",
    "including %(name)s (%(rate)s)": "dont %(name)s (%(rate)s)", "Prices include taxes.": "Les prix comprennent les taxes.",
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
    # the office and the door
    "Door": "Entrée", "Which performance?": "Quelle représentation ?", "Tonight": "Ce soir",
    "No performance to come.": "Aucune représentation à venir.", "Other performance": "Autre représentation",
    "Admit": "Faire entrer", "Admitted": "Entrée validée", "Refused": "Refusé", "Ready": "Prêt", "Last scan:": "Dernier passage :",
    "Form expired": "Formulaire expiré",
    "payment link sent": "lien de paiement envoyé", "confirmation not sent": "confirmation non envoyée",
    "payment declined": "paiement refusé", "refund pending at provider": "remboursement en attente chez le prestataire",
    "refund taken by provider": "remboursement effectué par le prestataire",
    "%(label)s: %(text)s": "%(label)s\u00a0: %(text)s",  # French sets a colon apart
    "Refunded: %(back)s. The seats are back on sale.": "Remboursé : %(back)s. Les places sont remises en vente.",
    "Refunded: %(back)s. Those seats are back on sale; the order's other tickets are still valid.":
        "Remboursé : %(back)s. Ces places sont remises en vente ; les autres billets de la commande restent valides.",
    "Refund the ticked tickets?": "Rembourser les billets cochés ?",
    "Tickets to refund": "Billets à rembourser",
    "tick the tickets to refund": "cochez les billets à rembourser",
    "a ticket to refund has already been used at the door": "un billet à rembourser a déjà servi à l'entrée",
    "tickets refunded": "billets remboursés",
    "On the clock of the venues it is for; on the box office's (%(zone)s) if they are on several clocks.":
        "À l’heure des salles où il vaut ; à celle de la billetterie (%(zone)s) si elles sont sur plusieurs "
        "fuseaux.",
    "currency of the amount off": "devise du montant de rabais",
    "The amount off is taken off prices in this currency only: the code is refused for tickets priced in another. "
    "A percentage off applies in any currency.":
        "Le montant de rabais n’est retiré que des prix dans cette devise\u00a0: le code est refusé pour des billets "
        "dont le prix est dans une autre. Un pourcentage de rabais s’applique dans toute devise.",
    "Priced in another currency, where this amount off would never apply: %(items)s.":
        "Prix dans une autre devise, où ce montant de rabais ne s’appliquerait jamais\u00a0: %(items)s.",
    "the code %(code)s takes an amount in %(currency)s off; these tickets are priced in %(priced_in)s":
        "le code %(code)s retire un montant en %(currency)s\u00a0; ces billets ont leur prix en %(priced_in)s",
    "Days on the clock of each performance's venue, as the file writes its times (customers of a performance "
    "chosen above: its venue's; of every performance: the box office's clock, as customers belong to no venue).":
        "Jours à l’heure de la salle de chaque représentation, comme le fichier en écrit les heures (les clients "
        "d’une représentation choisie ci-dessus\u00a0: l’heure de sa salle\u00a0; de toutes les représentations\u00a0: "
        "l’heure de la billetterie, les clients n’étant d’aucune salle).",
    "The last day cannot come before the first.": "Le dernier jour ne peut pas précéder le premier.",
    "Orders, tickets with their holders, payments and refunds, or customers, for a performance and/or a range of "
    "days.":
        "Commandes, billets avec leurs détenteurs, paiements et remboursements, ou clients, pour une représentation "
        "et/ou une période.",
    "or": "ou",  # one amount or another
    "as paid": "au prix payé",  # a ticket exchanged like for like costs what it was paid
    "Taxes are worked out on the whole order, then shared out over its tickets: tickets alike may differ "
    "by a cent. A ticket refunded gets back what it was charged.":
        "Les taxes sont calculées sur toute la commande, puis réparties entre ses billets : "
        "des billets identiques peuvent différer d’un cent. Un billet remboursé rend ce qu’il a coûté.",
    "Ticket refunded since (not in the total above):": (
        "Billet remboursé depuis (hors du total ci-dessus)\u00a0:",
        "Billets remboursés depuis (hors du total ci-dessus)\u00a0:"),
    "%(where)s: %(what)s must be a number, got “%(value)s”":
        "%(where)s : %(what)s doit être un nombre, reçu «\u00a0%(value)s\u00a0»",
    "%(where)s: a standing section needs a whole-number capacity, got “%(value)s”":
        "%(where)s : une section debout demande une capacité en nombre entier, reçu «\u00a0%(value)s\u00a0»",
    "%(where)s: kind must be seated or standing, got “%(kind)s”":
        "%(where)s : kind doit être seated ou standing, reçu «\u00a0%(kind)s\u00a0»",
    "This shift is still open: its report is printed when it is closed.":
        "Ce quart est encore ouvert : son rapport s’imprime à sa fermeture.",
    "these places are held for an exchange of order %(code)s: only that exchange takes them":
        "ces places sont retenues pour un échange de la commande %(code)s : seul cet échange les prend",
    "On the clock of the venues it is for (%(zone)s).": "À l’heure des salles où il vaut (%(zone)s).",
    "On the box office's clock (%(zone)s): the venues it is for are on several clocks.":
        "À l’heure de la billetterie (%(zone)s) : les salles où il vaut sont sur plusieurs fuseaux.",
    "try again in %(seconds)d second": ("réessayez dans %(seconds)d seconde", "réessayez dans %(seconds)d secondes"),
    "%(reason)s; %(try_again)s": "%(reason)s ; %(try_again)s",
    "too many holds from your address": "trop de retenues depuis votre adresse",
    "too many codes tried from your address": "trop de codes essayés depuis votre adresse",
    "too many payments from your address": "trop de paiements depuis votre adresse",
    "too many payments confirmed from your address": "trop de paiements confirmés depuis votre adresse",
    "Too many attempts from your network": "Trop de tentatives depuis votre réseau",
    "Too many applications from your network": "Trop d’inscriptions depuis votre réseau",
    "Too many new visitors from your network in the last minute":
        "Trop de nouveaux visiteurs depuis votre réseau dans la dernière minute",
    "Then reload this page: your place is kept from then on.":
        "Rechargez ensuite cette page : votre place est gardée à partir de là.",
    # Django's admin, as its French says it but for the elision's apostrophe (scripts/django_words.py)
    'Please enter the correct %(username)s and password for a staff account. Note that both fields may be case-sensitive.': 'Veuillez compléter correctement les champs «\u00a0%(username)s\u00a0» et «\u00a0mot de passe\u00a0» d’un compte autorisé. Sachez que les deux champs peuvent être sensibles à la casse.',
    'Changed {fields} for {name} “{object}”.': 'Modification de {fields} pour l’objet {name} «\u00a0{object}\u00a0».',
    'The {name} “{obj}” was added successfully.': 'L’objet {name} «\u00a0{obj}\u00a0» a été ajouté avec succès.',
    'Breadcrumbs': 'Fil d’Ariane',
    'Add link': 'Lien pour l’ajout',
    'View selected %(model)s': 'Afficher l’objet %(model)s sélectionné',
    'In case you’ve forgotten, you are:': 'Au cas où vous l’auriez oublié, vous êtes\u00a0:',
    'Ensure that there are no more than %(max)s digit in total.': ('Assurez-vous qu’il n’y a pas plus de %(max)s chiffre au total.', 'Assurez-vous qu’il n’y a pas plus de %(max)s chiffres au total.'),
    'Ensure that there are no more than %(max)s decimal place.': ('Assurez-vous qu’il n’y a pas plus de %(max)s chiffre après la virgule.', 'Assurez-vous qu’il n’y a pas plus de %(max)s chiffres après la virgule.'),
    'Ensure that there are no more than %(max)s digit before the decimal point.': ('Assurez-vous qu’il n’y a pas plus de %(max)s chiffre avant la virgule.', 'Assurez-vous qu’il n’y a pas plus de %(max)s chiffres avant la virgule.'),
    '%(model)s instance with %(field)s %(value)r is not a valid choice.': 'L’instance %(model)s avec %(value)r dans %(field)s n’est pas un choix valide.',
    "Applies to": "S'applique à",
    "%(shown)s and %(n)d more": ("%(shown)s et %(n)d autre", "%(shown)s et %(n)d autres"),
    "%(n)d zone only": ("%(n)d zone seulement", "%(n)d zones seulement"),
    "%(n)d price type only": ("%(n)d tarif seulement", "%(n)d tarifs seulement"),
    "Only the sections of the venue chosen above are offered: choose it first.":
        "Seules les sections de la salle choisie plus haut sont proposées : choisissez-la d'abord.",
    "Cash drawer": "Tiroir-caisse", "Cash taken": "Espèces encaissées", "Cash paid back": "Espèces remboursées",
    "Expected in the drawer": "Attendu dans le tiroir",
    "In cash, to the nearest %(step)s: %(exact)s is paid back as %(cash)s.": "En espèces, arrondi à %(step)s près\u00a0: %(exact)s est remboursé %(cash)s.",
    "Imported %(sections)s and %(seats)s.": "%(sections)s et %(seats)s importés.",
    "%(n)d section": ("%(n)d section", "%(n)d sections"),
    "%(n)d seat": ("%(n)d siège", "%(n)d sièges"),
    "Not on sale yet: put it on sale with the button “Put on sale” above.":
        "Pas encore en vente\u00a0: mettez-la en vente avec le bouton «\u00a0Mettre en vente\u00a0» ci-dessus.",
    "Cancelled before it was put on sale.": "Annulée avant d’avoir été mise en vente.",
    "no place is free in %(zone)s now": "aucune place n’est libre dans la zone %(zone)s pour l’instant",
    "no standing place is free in %(area)s now": "aucune place debout n’est libre dans %(area)s pour l’instant",
    "no wheelchair space or companion seat is free in %(zone)s now":
        "aucune place pour fauteuil roulant ou accompagnateur n’est libre dans la zone %(zone)s pour l’instant",
    # the links beside a chooser in the admin, named after the table they link to
    "Add another venue": "Ajouter une autre salle",
    "Change selected venue": "Modifier la salle sélectionnée",
    "View selected venue": "Afficher la salle sélectionnée",
    "Delete selected venue": "Supprimer la salle sélectionnée",
    "Change selected section": "Modifier la section sélectionnée",
    "View selected section": "Afficher la section sélectionnée",
    "Delete selected section": "Supprimer la section sélectionnée",
    "Add another event": "Ajouter un autre événement",
    "Change selected event": "Modifier l’événement sélectionné",
    "View selected event": "Afficher l’événement sélectionné",
    "Delete selected event": "Supprimer l’événement sélectionné",
    "Change selected price type": "Modifier le tarif sélectionné",
    "View selected price type": "Afficher le tarif sélectionné",
    "Delete selected price type": "Supprimer le tarif sélectionné",
    "Add another performance": "Ajouter une autre représentation",
    "Change selected performance": "Modifier la représentation sélectionnée",
    "View selected performance": "Afficher la représentation sélectionnée",
    "Delete selected performance": "Supprimer la représentation sélectionnée",
    "Add another user": "Ajouter un autre utilisateur",
    "Change selected user": "Modifier l’utilisateur sélectionné",
    "View selected user": "Afficher l’utilisateur sélectionné",
    "Delete selected user": "Supprimer l’utilisateur sélectionné",
    "Add another group": "Ajouter un autre groupe",
    "Change selected group": "Modifier le groupe sélectionné",
    "View selected group": "Afficher le groupe sélectionné",
    "Delete selected group": "Supprimer le groupe sélectionné",
    # an inline's link adding a row, the article agreeing with the row's name
    "Add another section": "Ajouter une autre section", "Add another price": "Ajouter un autre prix",
    "Add another on-sale window": "Ajouter une autre période de vente",
    "Add another price zone": "Ajouter une autre zone de prix", "Add another price type": "Ajouter un autre tarif",
    "Add another sales tax": "Ajouter une autre taxe de vente",
    "Add another booking fee": "Ajouter d’autres frais de service",
    "Add another presale code": "Ajouter un autre code de prévente",
    # Django's own tables' add buttons and pages
    "Add a group": "Ajouter un groupe", "Add a user": "Ajouter un utilisateur", "Add a token": "Ajouter un jeton",
    # Django's own, its tabular inline copied in templates/admin/edit_inline
    "Delete?": "Supprimer\u00a0?",
    "Too many attempts": "Trop de tentatives",
    "place history entry": "entrée de l’historique des places",
    "place history": "historique des places",
    "Test cards (the digits alone, the year in two digits): 4242424242424242 approves, 4000000000000002 is declined, 4000002500003155 needs its holder's bank, which a call cannot reach (send a payment link).":
        "Cartes de test (les chiffres seuls, l’année en deux chiffres)\u00a0: 4242424242424242 est acceptée, 4000000000000002 est refusée, 4000002500003155 fait intervenir la banque de son titulaire, qu’un appel ne peut joindre (envoyez un lien de paiement).",
    "Phone, email, name or order code": "Téléphone, courriel, nom ou code de commande",
    "Exports and settlements carry amounts of money: they are for staff who may view payments.":
        "Les exports et les règlements portent des montants\u00a0: ils sont réservés au personnel qui peut consulter les paiements.",
    # a standing area's place: French writes the number sign nº, kept with its number
    "%(section)s #%(number)s": "%(section)s nº\u00a0%(number)s",
    "#%(number)s": "nº\u00a0%(number)s",
    # the admin's add buttons and pages, the article agreeing with the table's name
    "Add a venue": "Ajouter une salle", "Add a section": "Ajouter une section", "Add a seat": "Ajouter un siège",
    "Add an event": "Ajouter un événement", "Add a price type": "Ajouter un tarif",
    "Add a customer": "Ajouter un client", "Add a waiting room": "Ajouter une salle d'attente",
    "Add a ballot": "Ajouter un tirage au sort", "Add a staff account": "Ajouter un compte du personnel",
    "Add a promo code": "Ajouter un code promo", "Add a presale": "Ajouter une prévente",
    # a table not of ours (a group, a user), as Django's French says it
    "Add %(name)s": "Ajouter %(name)s",
    "Add %s": "Ajout : %s",
    "Change %s": "Modification : %s",
    "View %s": "Consultation : %s",
    "Delete selected %(verbose_name_plural)s": "Supprimer la sélection : %(verbose_name_plural)s",
    "%(name)s:": "%(name)s :",
    "Change": "Modification",
    "View": "Afficher",
    "View on site": "Voir sur le site",
    "Sold.": "Vendu.",
    "Paid.": "Payé.",
    "Signed out: the browser was closed since this page was opened. Sign in again to scan.":
        "Session fermée : le navigateur a été fermé depuis l’ouverture de cette page. Reconnectez-vous pour scanner.",
    "at %(time)s": "à %(time)s",
    "on %(when)s": "le %(when)s",
    "already checked in %(first)s at %(door)s": "déjà entré %(first)s par %(door)s",
    "already checked in %(first)s by %(by)s": "déjà entré %(first)s, scanné par %(by)s",
    "already checked in %(first)s": "déjà entré %(first)s",
    "{n} minute": ("{n} minute", "{n} minutes"),
    "{n} second": ("{n} seconde", "{n} secondes"),
    "Times on the clock of the venue of the performance chosen below.":
        "Heures de la salle de la représentation choisie ci-dessous, à son heure locale.",
    "Pick the seats": "Choisir les places", "(prices %(basis)s)": "(prix %(basis)s)",
    "New caller added: %(name)s.": "Nouvelle personne ajoutée : %(name)s.",
    "Look the guest up by name.": "Cherchez la personne par son nom.",
    "Send the guest to the box office.": "Envoyez la personne à la billetterie.",
    "This device has no camera: type the ticket's code, or scan it with a scanner.":
        "Cet appareil n'a pas de caméra : tapez le code du billet ou scannez-le avec un lecteur.",
    "The camera is not allowed on this page: allow it in the browser's settings for this site, "
    "or type the ticket's code.":
        "La caméra n'est pas autorisée sur cette page : autorisez-la dans les paramètres du navigateur "
        "pour ce site, ou tapez le code du billet.",
    "Another app is using the camera: close it and try again, or type the ticket's code.":
        "Une autre application utilise la caméra : fermez-la et réessayez, ou tapez le code du billet.",
    "Type the ticket's code, or scan it with a scanner.": "Tapez le code du billet ou scannez-le avec un lecteur.",
    "(and %(n)d more)": "(et %(n)d de plus)",
    "%(where)s: not valid JSON (%(reason)s)": "%(where)s : JSON non valide (%(reason)s)",
    "not valid JSON (nested too deeply)": "JSON non valide (imbriqué trop profondément)",
    'top level must be an object with a "sections" list':
        "le niveau supérieur doit être un objet avec une liste «\u00a0sections\u00a0»",
    "%(where)s: each section needs a name": "%(where)s : chaque section demande un nom",
    "%(where)s: section %(name)s appears twice": "%(where)s : la section %(name)s figure deux fois",
    "%(where)s: a seated section needs a rows list": "%(where)s : une section assise demande une liste rows",
    "%(where)s: each row needs a row label and a seats list":
        "%(where)s : chaque rangée demande une étiquette row et une liste seats",
    "%(where)s: a seat must be an object": "%(where)s : un siège doit être un objet",
    "%(venue)s: net today": "%(venue)s : net aujourd'hui",
    "this looks like a card number, and card numbers are never kept here: take it out":
        "ceci ressemble à un numéro de carte, et aucun numéro de carte n'est conservé ici : retirez-le",
    "section %(name)s: write its names on one line, without line breaks, tabs or hidden characters":
        "section %(name)s : écrivez ses noms sur une ligne, sans saut de ligne, tabulation ni caractère caché",
    "section %(name)s: a section's name has at most %(n)d characters":
        "section %(name)s : le nom d'une section a au plus %(n)d caractères",
    "The tickets were refunded meanwhile: the caller has none left.":
        "Les billets ont été remboursés entre-temps : l'appelant n'en a plus.",
    "The seats were released.": "Les places ont été libérées.",
    "Not sold: your shift was closed meanwhile. The seats stay held until %(time)s: open a shift to finish the sale, "
    "or release them.":
        "Non vendu : votre quart a été fermé entre-temps. Les places restent retenues jusqu’à %(time)s : ouvrez un "
        "quart pour terminer la vente, ou libérez-les.",
    "Not exchanged: your shift was closed meanwhile. The new seats stay held until %(time)s: open a shift to go on "
    "with the exchange, or release them; the customer keeps their tickets.":
        "Non échangé : votre quart a été fermé entre-temps. Les nouvelles places restent retenues jusqu’à %(time)s : "
        "ouvrez un quart pour poursuivre l’échange, ou libérez-les ; le client garde ses billets.",
    "The new seats stay held until %(time)s, or until you release them.":
        "Les nouvelles places restent retenues jusqu’à %(time)s, ou jusqu’à ce que vous les libériez.",
    "Open a shift to finish them, or release their seats now; otherwise they are released when their hold lapses.":
        "Ouvrez un quart pour les terminer, ou libérez leurs places maintenant ; sinon, elles sont libérées à "
        "l’expiration de leur retenue.",
    "New seats are held for an exchange of this order.":
        "De nouvelles places sont retenues pour un échange de cette commande.",
    "Release them if the exchange does not go on; otherwise they are released when their hold lapses.":
        "Libérez-les si l’échange ne se fait pas ; sinon, elles sont libérées à l’expiration de leur retenue.",
    "Release the seats": "Libérer les places",
    "Release the new seats": "Libérer les nouvelles places",
    "Takings, refunds, fees and taxes are shown to staff who may view payments.":
        "Les recettes, les remboursements, les frais et les taxes sont montrés au personnel qui peut consulter les paiements.",
    "Tickets sold per day": "Billets vendus par jour",
    "Your shopping time has ended": "Votre temps pour acheter est écoulé",
    "Your time in the shop is over, and your place in the queue has gone to the people behind you.":
        "Votre temps dans la boutique est terminé, et votre place dans la file est passée aux personnes derrière vous.",
    "Places already in your basket are still yours until they lapse: you can still pay for them.":
        "Les places déjà dans votre panier restent à vous jusqu'à leur expiration : vous pouvez encore les payer.",
    "Join the queue again": "Rejoindre la file d'attente",
    "You will be let in after everyone already waiting.":
        "Vous entrerez après toutes les personnes qui attendent déjà.",
    "reference %(reference)s": "référence %(reference)s",
    "%(places)s; %(amount)s": "%(places)s ; %(amount)s",
    "Zone, price type": "Zone, tarif",
    "Nobody chosen can be erased now": "Aucune des personnes choisies ne peut être effacée pour l’instant",
    "Each person below says why: their data is already erased, there is nothing to erase, or not yet.":
        "Pour chaque personne ci-dessous, la raison est donnée : ses données sont déjà effacées, il n’y a rien à effacer, ou pas encore.",
    "the customer record of this address changed just now; try again":
        "la fiche client de cette adresse vient de changer ; réessayez",
    "Erased from": "Données effacées de",
    "%(item)s: %(reason)s": "%(item)s : %(reason)s",
    "Personal data of %(email)s not erased": "Données personnelles de %(email)s non effacées",
    "No tickets bought with this address": "Aucun billet acheté avec cette adresse",
    "refund and exchange policy": "politique de remboursement et d'échange",
    "refund and exchange policy in English": "politique de remboursement et d'échange en anglais",
    "refund and exchange policy in French": "politique de remboursement et d'échange en français",
    "Whether, and until when, tickets can be refunded or exchanged: shown to buyers before they pay, on their order's page and in their confirmation email. Plain text.": "Si les billets peuvent être remboursés ou échangés, et jusqu'à quand : montrée aux acheteurs avant qu'ils paient, sur la page de leur commande et dans leur courriel de confirmation. Texte simple.",
    "Refunds and exchanges": "Remboursements et échanges",
    "Refunds and exchanges:": "Remboursements et échanges :",
    "Read the policy": "Lire la politique",
    "running time (minutes)": "durée (minutes)",
    "How long the show runs, intervals included: buyers read when it ends, and it ends there in their calendar. Left empty, it is not said (a calendar gives it two hours).": "La durée du spectacle, entractes compris : les acheteurs lisent l'heure de sa fin, et il finit à cette heure dans leur agenda. Laissée vide, elle n'est pas dite (un agenda lui donne deux heures).",
    "A running time is more than 0 minutes and at most a day (1,440 minutes).": "Une durée est de plus de 0 minute et d'au plus un jour (1\u202f440 minutes).",
    "Running time": "Durée",
    "%(minutes)d min": "%(minutes)d\u00a0min",
    "%(hours)d h": "%(hours)d\u00a0h",
    "%(hours)d h %(minutes)02d": "%(hours)d\u00a0h\u00a0%(minutes)02d",
    "About %(length)s, ending around %(end)s": "Environ %(length)s, fin vers %(end)s",
    "(%(ahead)s) Waiting room": "(%(ahead)s) Salle d'attente",
    "It's your turn — %(event)s": "C'est votre tour — %(event)s",
    "Left as “Box office”, it is shown in the buyer's language (“Billetterie” in French); a name you type is shown as typed.":
        "Laissé tel quel (« Box office »), il est affiché dans la langue de l'acheteur (« Billetterie » en français) ; un nom que vous tapez est affiché tel quel.",
    "Directions to the venue": "Itinéraire jusqu’à la salle",
    "See your order": "Voir votre commande",
    "Pay by card": "Payer par carte",
    "Confirm your application": "Confirmer votre inscription",
    "Pay for your tickets": "Payer vos billets",
    "the note holds a character that cannot be printed": "la note contient un caractère qui ne s'imprime pas",
    "the reason holds a character that cannot be printed": "le motif contient un caractère qui ne s'imprime pas",
    "the reference holds a character that cannot be printed":
        "la référence contient un caractère qui ne s'imprime pas",
    "Personal data erased": "Données personnelles effacées",
    "Erase personal data (on the person's request)": "Effacer les données personnelles (à la demande de la personne)",
    "Erased the personal data of %(n)d customer.": ("Données personnelles de %(n)d client effacées.",
                                                     "Données personnelles de %(n)d clients effacées."),
    "Nothing to erase: their personal data is already erased.":
        "Rien à effacer : leurs données personnelles sont déjà effacées.",
    "%(n)d order": ("%(n)d commande", "%(n)d commandes"),
    "%(n)d ballot entry": ("%(n)d demande de tirage au sort", "%(n)d demandes de tirage au sort"),
    "%(n)d note": ("%(n)d note", "%(n)d notes"),
    "Erase their personal data?": "Effacer leurs données personnelles ?",
    "Erase personal data": "Effacer les données personnelles",
    "For each person below, their name, email address and phone number are erased from their customer records (every one with the same mailbox), their orders, their ballot entries, the orders' history and the answers kept for the API; the notes about them and their payments' card fingerprints are deleted. Their orders, tickets, payments and ballot entries stay, with their amounts, dates and draws, so that the accounts still add up; each order's history says when its buyer's data was erased, and by whom. This cannot be undone.": (
        "Pour chaque personne ci-dessous, son nom, son adresse courriel et son numéro de téléphone sont effacés "
        "de ses fiches client (toutes celles de la même boîte aux lettres), de ses commandes, de ses demandes de "
        "tirage au sort, de l’historique des commandes et des réponses gardées pour l’API ; les notes à son sujet "
        "et les empreintes de carte de ses paiements sont supprimées. Ses commandes, billets, paiements et "
        "demandes de tirage au sort restent, avec leurs montants, leurs dates et leurs tirages, pour que les "
        "comptes tombent toujours juste ; l’historique de chaque commande dit quand les données de son acheteur "
        "ont été effacées, et par qui. C’est irréversible."),
    "Customer records": "Fiches client",
    "Already erased: nothing more to erase.": "Déjà effacées : plus rien à effacer.",
    "Not yet:": "Pas encore :",
    "Nothing to erase.": "Rien à effacer.",
    "Yes, erase the personal data of %(n)s person": (
        "Oui, effacer les données personnelles de %(n)s personne",
        "Oui, effacer les données personnelles de %(n)s personnes"),
    "only the organizer erases a customer's personal data":
        "seul l’organisateur efface les données personnelles d’un client",
    "this is the counter's record of nobody in particular, not a person":
        "c’est la fiche du comptoir pour un client anonyme, pas une personne",
    "order %(code)s is not paid yet (%(status)s): cancel it, or wait until it is paid or lapses":
        "la commande %(code)s n’est pas encore payée (%(status)s) : annulez-la, ou attendez qu’elle soit payée "
        "ou expirée",
    "order %(code)s has valid tickets for %(performance)s, which was cancelled: refund it first":
        "la commande %(code)s a des billets valides pour %(performance)s, qui a été annulée : remboursez-la d’abord",
    "order %(code)s has valid tickets for %(performance)s, which is not over yet: refund it first, or wait until the performance is over":
        "la commande %(code)s a des billets valides pour %(performance)s, qui n’est pas encore passée : "
        "remboursez-la d’abord, ou attendez que la représentation soit passée",
    "order %(code)s has a refund the payment provider refused: settle it first (paid back by other means)":
        "la commande %(code)s a un remboursement refusé par le prestataire de paiement : réglez-le d’abord "
        "(remboursé par un autre moyen)",
    "order %(code)s has a card refund the payment provider has not made yet: wait until it has":
        "la commande %(code)s a un remboursement par carte que le prestataire de paiement n’a pas encore fait : "
        "attendez qu’il soit fait",
    "their application (%(ballot)s) is not drawn yet: wait for the draw":
        "sa demande (%(ballot)s) n’est pas encore tirée au sort : attendez le tirage",
    "they won a ballot (%(ballot)s) and its seats are held for them until they pay: wait until they pay or the deadline passes":
        "cette personne a gagné au tirage au sort (%(ballot)s) et ses places lui sont réservées jusqu’au paiement : "
        "attendez qu’elle paie ou que le délai soit passé",
    "This sale was cancelled; its places were released.": "Cette vente a été annulée ; ses places ont été libérées.",
    "%(end)s has passed: the code would never be valid. Give an end to come, or none.": "%(end)s est passé : le code ne serait jamais valable. Donnez une fin à venir, ou aucune.",
    "The online sale closes %(closes)s, after the show starts (%(starts)s): the online shop stops selling at the start. The counter sells on until its own window closes.": "La vente en ligne ferme le %(closes)s, après le début du spectacle (%(starts)s) : la boutique en ligne cesse de vendre au début. Le guichet vend jusqu'à la fin de sa propre période.",
    "The presale %(presale)s will sell nothing: this performance is not sold online, and presale codes are typed in the online shop.": "La prévente %(presale)s ne vendra rien : cette représentation n'est pas vendue en ligne, et les codes de prévente se tapent dans la boutique en ligne.",
    "The presale %(presale)s opens %(opens)s, once the online sale is open (%(online)s): its codes are asked for only before then, so it will sell nothing. Open it earlier, or delete it.": "La prévente %(presale)s ouvre le %(opens)s, quand la vente en ligne est déjà ouverte (%(online)s) : ses codes ne sont demandés qu'avant, elle ne vendra donc rien. Ouvrez-la plus tôt, ou supprimez-la.",
    "On %(day)s the clocks of %(zone)s jump from %(from)s to %(to)s: %(time)s does not exist there. Choose another time.": "Le %(day)s, les horloges de %(zone)s avancent de %(from)s à %(to)s : %(time)s n'y existe pas. Choisissez une autre heure.",
    "On %(day)s the clocks of %(zone)s go back from %(from)s to %(to)s: %(time)s happens twice there. Choose a time before %(to)s or from %(from)s on.": "Le %(day)s, les horloges de %(zone)s reculent de %(from)s à %(to)s : %(time)s y passe deux fois. Choisissez une heure avant %(to)s ou à partir de %(from)s.",
    "holds and orders are made by buyers, counter clerks and phone operators; this account's role does not sell":
        "les retenues et les commandes sont faites par les acheteurs, les guichetiers et les téléphonistes ; "
        "le rôle de ce compte ne vend pas",
    "your network already holds %(held)d places of this performance; one network may hold at most %(cap)d at once: buy or release some of them, or wait until they lapse":
        "votre réseau retient déjà %(held)d places de cette représentation ; un réseau peut en retenir %(cap)d au plus à la fois : achetez-en ou libérez-en, ou attendez qu’elles expirent",
    "%(performance)s: no channel sells it yet, it has no on-sale window. Add one on its page for each channel that sells it.": "%(performance)s : aucun canal ne la vend encore, elle n'a pas de période de vente. Ajoutez-en une sur sa page pour chaque canal qui la vend.",
    "At most 0 uses: the code would never take anything off. Leave it empty for no limit.": "Au plus 0 utilisation : le code ne ferait jamais de réduction. Laissez vide pour ne pas limiter.",
    "This performance is not sold online: presale codes are typed in the online shop. Add its online on-sale window first.": "Cette représentation n'est pas vendue en ligne : les codes de prévente se tapent dans la boutique en ligne. Ajoutez d'abord sa période de vente en ligne.",
    "The online sale opens %(opens)s: a presale opens before it (its codes are asked for only until then).": "La vente en ligne ouvre le %(opens)s : une prévente ouvre avant (ses codes ne sont demandés que jusque-là).",
    "Used: scanned at the door on %(day)s at %(time)s.": "Utilisé : scanné à l'entrée le %(day)s à %(time)s.",
    "Refunded on %(day)s at %(time)s: this ticket is no longer valid.":
        "Remboursé le %(day)s à %(time)s : ce billet n'est plus valide.",
    "Exchanged: this ticket is no longer valid.": "Échangé : ce billet n'est plus valide.",
    "Add to calendar": "Ajouter à l'agenda",
    "Directions": "Itinéraire",
    "This performance took place on %(day)s: its tickets no longer let anyone in.":
        "Ce spectacle a eu lieu le %(day)s : ses billets ne donnent plus accès à la salle.",
    "Email me the tickets again": "M'envoyer de nouveau les billets par courriel",
    "Your tickets are being sent again to %(email)s.": "Vos billets vous sont envoyés de nouveau à %(email)s.",
    "Your tickets were already sent several times in the last hour; try again later.":
        "Vos billets ont déjà été envoyés plusieurs fois dans la dernière heure ; réessayez plus tard.",
    "This order no longer has valid tickets to send.": "Cette commande n'a plus de billets valides à envoyer.",
    "At the door, show each ticket's QR code, on your phone or printed.":
        "À l'entrée, présentez le code QR de chaque billet, sur votre téléphone ou imprimé.",
    "Confirm it to enter it in the draw (applications close %(closes)s, %(place)s time). If you did not apply, do nothing: it will not be entered.": "Confirmez-la pour qu’elle participe au tirage (les inscriptions ferment le %(closes)s, heure de %(place)s). Si vous ne vous êtes pas inscrit, ne faites rien : elle ne participera pas.",
    "applications close %(closes)s, %(place)s time": "inscriptions jusqu'au %(closes)s, heure de %(place)s",
    "Applications open %(opens)s, %(place)s time.": "Les inscriptions ouvrent le %(opens)s, heure de %(place)s.",
    "It's your turn: you are in the shop. Choose your seats.": "C'est votre tour : vous êtes dans la boutique. Choisissez vos places.",
    "The connection is lost. This page keeps trying, and you keep your place in the queue.": "La connexion est perdue. Cette page continue d'essayer, et vous gardez votre place dans la file.",
    "Sales open on %(day)s at %(time)s, %(place)s time.": "La vente ouvre le %(day)s à %(time)s, heure de %(place)s.",
    "Where you are: %(time)s.": "Chez vous : %(time)s.",
    "The organizer has stopped letting people in for now, so there is no wait to estimate. When they start again, the queue moves on and you keep your place.": "L'organisateur a suspendu les entrées pour le moment : il n'y a donc pas d'attente à estimer. Dès qu'elles reprennent, la file avance et vous gardez votre place.",
    "More time": "Plus de temps",
    "Your seats are now held for %(n)d minute.": (
        "Vos places sont maintenant retenues pendant %(n)d minute.",
        "Vos places sont maintenant retenues pendant %(n)d minutes."),
    "Your seats cannot be held any longer: pay now, or they are released.":
        "Vos places ne peuvent pas être retenues plus longtemps : payez maintenant, sinon elles sont libérées.",
    "no such ticket": "billet introuvable", "no such venue": "salle introuvable",
    "%(code)s is an order's code, not a ticket's: look it up under “Find a guest”":
        "%(code)s est le code d'une commande, pas d'un billet : cherchez-le sous «\u00a0Chercher une personne\u00a0»",
    "Answered after the next scan, scanned at": "Réponse venue après le passage suivant, passage à",
    "unknown field: nothing was done": "champ inconnu : rien n'a été fait",
    "give the reservation's deadline with its offset from UTC (or Z)": "donnez la date limite de la réservation avec son décalage par rapport à UTC (ou Z)",
    "Checking…": "Vérification…",
    "Fees kept": "Frais retenus",
    "Seats": "Sièges", "None yet:": "Aucun pour le moment :",
    "import a seating plan": "importer un plan de salle",
    "A seated section of the venue with no seat yet (added by its name on the venue's page) gets the plan's seats "
    "for that name; the plan's other sections are added.": (
        "Une section assise de la salle encore sans siège (ajoutée par son nom sur la page de la salle) reçoit les "
        "sièges du plan à ce nom ; les autres sections du plan sont ajoutées."),
    "%(n)d ticket sold": ("%(n)d billet vendu", "%(n)d billets vendus"),
    "%(n)d place held in a basket or a reservation": (
        "%(n)d place retenue dans un panier ou une réservation", "%(n)d places retenues dans des paniers ou des "
        "réservations"),
    "nothing sold yet": "rien de vendu pour le moment",
    # A hall's name often begins with the word ("Salle du Quai"): it is named beside "sa salle",
    # never after "la salle".
    "This performance is on sale (%(what)s) and its %(places)s places are those of its venue, %(venue)s, so it "
    "stays there. To play at another venue, cancel it (its buyers are paid back) and add a performance there.": (
        "Cette représentation est en vente (%(what)s) et ses %(places)s places sont celles de sa salle, %(venue)s : "
        "elle y reste donc. Pour jouer dans une autre salle, annulez-la (ses acheteurs sont remboursés) et ajoutez "
        "une représentation dans celle-ci."),
    "Its price zones (%(zones)s) price sections and seats that only its venue, %(venue)s, has: take them out of "
    "the zones below and save first, then choose the other venue.": (
        "Ses zones de prix (%(zones)s) tarifent des sections et des sièges que seule sa salle, %(venue)s, possède : "
        "retirez-les des zones ci-dessous et enregistrez d'abord, puis choisissez l'autre salle."),
    "quantity is for a zone or a section, not with places": "quantity va avec une zone ou une section, pas avec places",
    "accessible is for a zone, not with %(way)s": "accessible va avec une zone, pas avec %(way)s",
    "the body is written in %(charset)s, which is not a text encoding: send it in UTF-8":
        "le corps est écrit en %(charset)s, qui n'est pas un encodage de texte : envoyez-le en UTF-8",
    "give exactly one of places, zone or section": "donnez exactement un de places, zone ou section",
    "how many places?": "combien de places ?",
    "give exactly one of payment or reserve_until": "donnez exactement un de payment ou reserve_until",
    "a payment link is for a reservation (reserve_until)": "un lien de paiement est pour une réservation (reserve_until)",
    "card numbers are not accepted: send the token of the card typed into the payment provider's field":
        "les numéros de carte ne sont pas acceptés : envoyez le jeton de la carte saisie dans le champ du "
        "prestataire de paiement",
    "place %(place)s is given a price type twice": "la place %(place)s reçoit deux fois un type de prix",
    "the body has no Content-Type; the API reads JSON only: send it as application/json":
        "le corps n'a pas de Content-Type ; l'API ne lit que du JSON : envoyez-le en application/json",
    "the body is %(type)s; the API reads JSON only: send it as application/json":
        "le corps est en %(type)s ; l'API ne lit que du JSON : envoyez-le en application/json",
    # a body that is not JSON
    "a value was expected": "une valeur était attendue",
    "a property name in double quotes was expected": "un nom de propriété entre guillemets doubles était attendu",
    "a colon was expected": "un deux-points était attendu",
    "a comma was expected": "une virgule était attendue",
    "a string is not closed": "un texte n'est pas fermé",
    "a string holds a control character (write it escaped)":
        "un texte contient un caractère de contrôle (écrivez-le échappé)",
    "a backslash begins no escape": "une barre oblique inverse ne commence aucun échappement",
    "a \\u escape does not have four hexadecimal digits": "un échappement \\u n'a pas quatre chiffres hexadécimaux",
    "something follows the end of the JSON value": "quelque chose suit la fin de la valeur JSON",
    "JSON parse error - the body is not %(encoding)s text (byte %(position)s)":
        "erreur d'analyse JSON : le corps n'est pas du texte %(encoding)s (octet %(position)s)",
    "JSON parse error - the body begins with a byte order mark (BOM): send it without one":
        "erreur d'analyse JSON : le corps commence par une marque d'ordre des octets (BOM) : envoyez-le sans",
    "JSON parse error - line %(line)s, column %(column)s": "erreur d'analyse JSON : ligne %(line)s, colonne %(column)s",
    "JSON parse error - line %(line)s, column %(column)s: %(problem)s":
        "erreur d'analyse JSON : ligne %(line)s, colonne %(column)s : %(problem)s",
    "JSON parse error - a number has more than %(digits)s digits":
        "erreur d'analyse JSON : un nombre a plus de %(digits)s chiffres",
    "JSON parse error - NaN and Infinity are not numbers in JSON":
        "erreur d'analyse JSON : NaN et Infinity ne sont pas des nombres en JSON",
    "JSON parse error - the body is not JSON": "erreur d'analyse JSON : le corps n'est pas du JSON",
    "The new seats were released.": "Les nouvelles places ont été libérées.",
    "Once the tickets are printed, close this slip. The print was cancelled? Print it again: the same tickets, not a "
    "reprint.":
        "Une fois les billets imprimés, fermez ce bordereau. L’impression a été annulée ? Imprimez-le de nouveau : "
        "les mêmes billets, pas une réimpression.",
    "Close": "Fermer",
    "Not exchanged: your shift was closed meanwhile, and the new seats were released; the customer keeps their "
    "tickets. Open a shift to exchange again.":
        "Non échangé : votre quart a été fermé entre-temps, et les nouvelles places ont été libérées ; le client "
        "garde ses billets. Ouvrez un quart pour refaire l’échange.",
    "Not sold: your shift was closed meanwhile, and the seats were released. Open a shift and start the sale again.":
        "Non vendu : votre quart a été fermé entre-temps, et les places ont été libérées. Ouvrez un quart et "
        "recommencez la vente.",
    "internal error": "erreur interne",
    "permission denied": "permission refusée",
    "method %(method)s not allowed here": "la méthode %(method)s n'est pas permise ici",
    "You may not see this venue.": "Vous ne pouvez pas voir cette salle.",
    "No such venue.": "Salle introuvable.",
    "Another venue: these times will be read on its clock (%(zone)s), no longer on %(was)s: the same hours, at "
    "another moment. Change them if the show keeps its moment.": (
        "Autre salle : ces heures seront lues à son heure (%(zone)s), et non plus à celle de %(was)s : les mêmes "
        "heures, à un autre moment. Changez-les si le spectacle garde son moment."),
    "Times on the clock of the venue chosen above, its local time: choose it first.": (
        "Heures de la salle choisie ci-dessus, à son heure locale : choisissez-la d'abord."),
    "max uses": "utilisations au plus",
    "the payment provider did not answer; try again in a moment":
        "le prestataire de paiement n'a pas répondu ; réessayez dans un instant",
    "JSON parse error - nested more than %(depth)s levels deep":
        "erreur d'analyse JSON : imbriqué sur plus de %(depth)s niveaux",
    "JSON parse error - a string holds a lone surrogate, which is not a character":
        "erreur d'analyse JSON : un texte contient un demi-codet isolé (surrogate), qui n'est pas un caractère",
    "no such resource": "ressource introuvable",
    "no such resource; this address ends with a slash: %(address)s":
        "ressource introuvable ; cette adresse se termine par une barre oblique : %(address)s",
    "Choose up to %(n)s seats: tap or click a seat, or Tab into the map, move with the arrow keys and pick with "
    "Enter or Space.": "Choisissez jusqu'à %(n)s places : touchez ou cliquez une place, ou entrez dans le plan "
    "avec Tab, déplacez-vous avec les flèches et choisissez avec Entrée ou Espace.",
    "the provider could not use this card; enter it again":
        "le prestataire de paiement n'a pas pu utiliser cette carte ; saisissez-la de nouveau",
    "organizers only": "organisateurs seulement",
    "only a phone operator or an organizer cancels an order or emails its payment link":
        "seul un téléphoniste ou un organisateur annule une commande ou envoie son lien de paiement",
    "order %(code)s is %(status)s; only a reservation is paid through a link":
        "la commande %(code)s est %(status)s ; seule une réservation se paie par un lien",
    "the payment link could not be emailed; send it again with POST orders/%(code)s/payment-link/":
        "le lien de paiement n'a pas pu être envoyé par courriel ; renvoyez-le avec POST orders/%(code)s/payment-link/",
    "Open your shift first, then hold the new seats again.":
        "Ouvrez d’abord votre quart, puis retenez de nouveau les nouvelles places.",
    "%(n)d paid order has no email address to send the new time to: call its buyer or tell them at the counter.": (
        "%(n)d commande payée n’a pas d’adresse courriel où envoyer la nouvelle heure : appelez son acheteur ou "
        "prévenez-le au guichet.",
        "%(n)d commandes payées n’ont pas d’adresse courriel où envoyer la nouvelle heure : appelez leurs acheteurs "
        "ou prévenez-les au guichet."),
    "English": "anglais", "French": "français",  # a language named in a sentence or a field: lower case
    "Typed by buyers; accents and case do not matter.":
        "Saisi par les acheteurs ; accents, majuscules ou minuscules, peu importe.",
    "The code %(code)s is already used (accents and case do not matter).":
        "Le code %(code)s est déjà utilisé (accents, majuscules et minuscules ne comptent pas).",
    "There is already a promo code %(code)s (accents and case do not matter).":
        "Il existe déjà un code promo %(code)s (accents, majuscules et minuscules ne comptent pas).",
    "Seating plan (CSV or JSON)": "Plan de salle (CSV ou JSON)",
    "sales taxes (each rounded to the cent once per order, then shared out over its tickets)": "taxes de vente (chacune arrondie au cent une fois par commande, puis répartie entre ses billets)",
    "%(amount)s goes back: %(ways)s.": "%(amount)s sont rendus : %(ways)s.",
    "Refund the ticked tickets? %(amount)s goes back: %(ways)s.":
        "Rembourser les billets cochés ? %(amount)s sont rendus : %(ways)s.",
    "Nothing is paid back.": "Rien n'est rendu.",
    "Refund the ticked tickets? Nothing is paid back.": "Rembourser les billets cochés ? Rien n'est rendu.",
    "last login": "dernière connexion",
    "%(n)s order matches “%(q)s”": ("%(n)s commande correspond à «\u00a0%(q)s\u00a0»",
                                    "%(n)s commandes correspondent à «\u00a0%(q)s\u00a0»"),
    "The latest order matching “%(q)s”": ("La dernière commande qui correspond à «\u00a0%(q)s\u00a0»",
                                          "Les %(n)s dernières commandes qui correspondent à «\u00a0%(q)s\u00a0»"),
    "prices with fees and taxes included": "prix, frais et taxes inclus",
    "taxes included": "taxes incluses", "before tax": "avant taxes",
    "fees and taxes included": "frais et taxes inclus", "fees included": "frais inclus",
    "Price, taxes included": "Prix, taxes incluses", "Price before tax": "Prix avant taxes",
    "Prices (%(basis)s)": "Prix (%(basis)s)", "Zone (prices %(basis)s)": "Zone (prix %(basis)s)",
    "%(type)s costs each zone's own price: %(prices)s. Change it on the price type's page where it differs.":
        "%(type)s coûte le prix de chaque zone : %(prices)s. Changez-le sur la page du tarif là où il diffère.",
    "local time, %(place)s": "heure locale, %(place)s",
    "%(channel)s: %(opens)s – %(closes)s": "%(channel)s : %(opens)s – %(closes)s",
    "%(what)s: %(n)s": "%(what)s : %(n)s",
    "%(field)s — date": "%(field)s — date",
    "%(field)s — time": "%(field)s — heure",
    "%(amount)s paid back": "%(amount)s remboursés",
    "cash from the drawer": "en espèces, sortis du tiroir-caisse",
    "on the card terminal": "sur le terminal de carte",
    "to the card, by the payment provider": "sur la carte, par le prestataire de paiement",
    "Refund the whole order? %(amount)s goes back: %(ways)s.": "Rembourser toute la commande ? %(amount)s sont rendus : %(ways)s.",
    "Refund the whole order? Nothing is paid back.": "Rembourser toute la commande ? Rien n'est rendu.",
    "Refund the ticked tickets? What they cost goes back the way the order was paid: %(ways)s.": "Rembourser les billets cochés ? Leur prix est rendu comme la commande a été payée : %(ways)s.",
    # Applying again with an unconfirmed application's mailbox updates it and keeps its link.
    "confirmation emails": "courriels de confirmation",
    "confirmation emails asked at": "courriels de confirmation demandés le",
    "this confirmation link is not valid: it has been used already. If you confirmed, the email with your entry "
    "reference says so.":
        "ce lien de confirmation n’est pas valide : il a déjà servi. Si vous avez confirmé, le courriel contenant "
        "votre référence de participation le dit.",
    "A link was already emailed to %(email)s and is still valid: follow it to confirm the application (you can "
    "correct its name and number of tickets there). No other email is sent to this address for now.":
        "Un lien a déjà été envoyé à %(email)s et reste valide : suivez-le pour confirmer l’inscription (vous "
        "pourrez y corriger le nom et le nombre de billets). Aucun autre courriel n’est envoyé à cette adresse pour "
        "l’instant.",
    # The confirmation page lets its reader put their own name and tickets.
    "Someone, we hope you, applied with this address for %(quantity)s tickets for %(show)s (%(starts)s, %(venue)s). "
    "The application enters the draw only once you confirm it, before applications close, %(closes)s; the page lets "
    "you correct its name and number of tickets first: %(link)s\n\nIf you did not apply, ignore this email: the "
    "application will not be entered, and your address can still apply.":
        "Quelqu’un (vous, nous l’espérons) s’est inscrit avec cette adresse pour %(quantity)s billets pour %(show)s "
        "(%(starts)s, %(venue)s). L’inscription ne participe au tirage qu’une fois confirmée, avant la fermeture des "
        "inscriptions, le %(closes)s ; la page vous permet d’abord d’en corriger le nom et le nombre de billets : "
        "%(link)s\n\nSi vous ne vous êtes pas inscrit, ignorez ce courriel : l’inscription ne participera pas, et "
        "votre adresse peut toujours s’inscrire.",
    "Check the name and the number of tickets, and correct them if they are not yours, then confirm.":
        "Vérifiez le nom et le nombre de billets, corrigez-les s’ils ne sont pas les vôtres, puis confirmez.",
    "%(clash)s Put this performance's zones right before making other dates of it.":
        "%(clash)s Corrigez les zones de cette représentation avant d'en créer d'autres dates.",
    # A ballot application confirmed by the link emailed to its address.
    "Email not confirmed": "Courriel non confirmé",
    "confirmation token": "jeton de confirmation",
    "this email address is applying at this very moment; try again":
        "cette adresse courriel est en train de s’inscrire en ce moment même ; réessayez",
    "applications for this ballot closed before this application was confirmed: it is not in the draw":
        "les inscriptions à ce tirage au sort ont fermé avant que cette inscription soit confirmée : elle ne "
        "participe pas au tirage",
    "Confirm your ballot application for %(show)s": "Confirmez votre inscription au tirage au sort pour %(show)s",
    "Check your mailbox: we have emailed a link to %(email)s. Your application enters the draw only once you follow "
    "it, before applications close.":
        "Consultez votre boîte de réception : nous avons envoyé un lien à %(email)s. Votre inscription ne participe "
        "au tirage qu’une fois ce lien suivi, avant la fermeture des inscriptions.",
    "Your application is confirmed and entered in the draw. Your entry reference is %(reference)s: keep it to check "
    "the draw. We will email you after the draw.":
        "Votre inscription est confirmée et participe au tirage. Votre référence de participation est "
        "%(reference)s : gardez-la pour vérifier le tirage. Nous vous écrirons après le tirage.",
    "Confirmed applications": "Inscriptions confirmées",
    "Applications not confirmed (not in the draw)": "Inscriptions non confirmées (hors tirage)",
    "Confirm your ballot application": "Confirmez votre inscription au tirage au sort",
    "Ballot application": "Inscription au tirage au sort",
    "The ballot's page": "La page du tirage au sort",
    "An application for %(n)s ticket in the name of %(name)s, with the address %(email)s.": (
        "Une inscription pour %(n)s billet au nom de %(name)s, avec l’adresse %(email)s.",
        "Une inscription pour %(n)s billets au nom de %(name)s, avec l’adresse %(email)s."),
    "Confirm my application": "Confirmer mon inscription",
    "This performance is cancelled. Your order %(code)s was refunded in full, fees included.":
        "Cette représentation est annulée. Votre commande %(code)s a été remboursée en entier, frais compris.",
    "Being paid back: the refund of %(when)s (%(method)s) is recorded and on its way to the card provider":
        "En cours de remboursement : le remboursement du %(when)s (%(method)s) est enregistré et en route vers le "
        "prestataire de carte",
    "The refund to your card is recorded and on its way: the card provider has not taken it yet, and it is sent to it until it does. Once taken, it can take a few days to show on your statement.":
        "Le remboursement sur votre carte est enregistré et en route : le prestataire de carte ne l'a pas encore "
        "pris, et il lui est envoyé jusqu'à ce qu'il le prenne. Une fois pris, il peut mettre quelques jours à "
        "paraître sur votre relevé.",
    "the payment is still being processed; the places stay held until it is known":
        "le paiement est encore en cours de traitement ; les places restent retenues jusqu'à ce qu'il soit connu",
    "The %(amount)s paid by card was not kept: it is paid back to the card.":
        "Les %(amount)s payés par carte n'ont pas été gardés : ils sont remboursés sur la carte.",
    "The %(amount)s paid by card for the difference was not kept: it is paid back to the card.":
        "Les %(amount)s payés par carte pour la différence n'ont pas été gardés : ils sont remboursés sur la carte.",
    "with the tickets you bought since, this order would take you over this on-sale's limit of tickets per customer; nothing was sold and the payment was refunded":
        "avec les billets achetés depuis, cette commande vous ferait dépasser la limite de billets par client de cette mise en vente ; rien n'a été vendu et le paiement a été remboursé",
    "A search has at most %(max)s characters (this one had %(count)s): type a shorter one.":
        "Une recherche compte au plus %(max)s caractères (celle-ci en avait %(count)s) : tapez-en une plus courte.",
    "The %(amount)s in cash the customer handed over was not taken: hand it back.":
        "Les %(amount)s en espèces remis par le client n'ont pas été encaissés : rendez-les-lui.",
    "The %(amount)s taken on the card terminal was not kept: pay it back on the terminal.":
        "Les %(amount)s pris au terminal de paiement n'ont pas été gardés : remboursez-les au terminal.",
    "the exchange could not be completed; nothing was changed": "l'échange n'a pas pu être conclu ; rien n'a été changé",
    "your shift was closed while the payment was taken; nothing was sold":
        "votre quart a été fermé pendant le paiement ; rien n'a été vendu",
    "your shift was closed meanwhile; open a shift and start again":
        "votre quart a été fermé entre-temps ; ouvrez un quart et recommencez",
    "Your shift was closed while the payment was taken: nothing was sold.":
        "Votre quart a été fermé pendant le paiement : rien n'a été vendu.",
    "Open a shift to sell again.": "Ouvrez un quart pour vendre de nouveau.",
    "cancellation note in English": "note d'annulation en anglais",
    "cancellation note in French": "note d'annulation en français",
    "In English": "En anglais",
    "In French": "En français",
    "If it differs from the one above: told to buyers who read English.": "Si elle diffère de celle ci-dessus : dite aux acheteurs anglophones.",
    "If it differs from the one above: told to buyers who read French.": "Si elle diffère de celle ci-dessus : dite aux acheteurs francophones.",
    "; try again in a moment with the same idempotency key":
        " ; réessayez dans un instant avec la même clé d'idempotence",
    "The %(amount)s taken on the card terminal for the difference was not kept: pay it back on the terminal.":
        "Les %(amount)s pris au terminal de paiement pour la différence n'ont pas été gardés : remboursez-les au terminal.",
    "refund: being sent to the payment provider": "remboursement : en cours d'envoi au prestataire de paiement",
    "the plan holds %(planned)s places and %(venue)s %(there)s already: a venue holds at most %(max)s":
        "le plan compte %(planned)s places et %(venue)s en a déjà %(there)s : une salle en compte au plus %(max)s",
    "%(venue)s holds %(there)s places: at most %(max)s are put on sale for a performance; correct its sections' "
    "capacities":
        "%(venue)s compte %(there)s places : au plus %(max)s sont mises en vente pour une représentation ; corrigez "
        "la capacité de ses sections",
    # the payments list: the cash among them as it changed hands
    "In cash, the listed payments moved %(amount)s, to the coin.":
        "En espèces, les paiements de la liste ont fait %(amount)s, arrondis à la pièce.",
    # cash tendered absurdly over the amount due
    "the %(tendered)s tendered is more than the %(total)s due and a %(note)s note: check the amount typed (its "
    "decimal point?)":
        "le montant reçu de %(tendered)s dépasse les %(total)s dus plus un billet de %(note)s : vérifiez le "
        "montant tapé (sa virgule ?)",
    # closing a shift over seats still held
    "your sales in progress still hold %(n)d seat: finish the sale, or release its seat, to close the shift": (
        "vos ventes en cours retiennent encore %(n)d place : terminez la vente, ou libérez sa place, pour fermer "
        "le quart",
        "vos ventes en cours retiennent encore %(n)d places : terminez les ventes, ou libérez leurs places, pour "
        "fermer le quart"),
    "Your sales in progress still hold seats.": "Vos ventes en cours retiennent encore des places.",
    "Go back to finish a sale, or release the seats listed here: closing the shift releases them.":
        "Revenez terminer une vente, ou libérez les places listées ici : fermer le quart les libère.",
    "Finish this sale": "Terminer cette vente",
    "Finish this exchange": "Terminer cet échange",
    "Release these seats, close and print the report": "Libérer ces places, fermer et imprimer le rapport",
    "Release these seats, close with this count and print the report":
        "Libérer ces places, fermer avec ce compte et imprimer le rapport",
    # a ballot's groups split over two rows rather than seats left empty
    "split groups rather than leave seats empty": "répartir des groupes plutôt que laisser des places vides",
    "Once no block of seats side by side is left for an application of 3 tickets or more, seat it in two rows, one behind the other (it is told its seats are not all together). An application of 2 is never split. Unticked, such applications are not drawn, and seats may stay empty.": "Quand il ne reste plus de bloc de places côte à côte pour une demande de 3 billets ou plus, la placer sur deux rangs, l’un derrière l'autre (on lui dit que ses places ne sont pas toutes ensemble). Une demande de 2 billets n’est jamais répartie. Case décochée, ces demandes ne sont pas tirées au sort, et des places peuvent rester vides.",
    "Your seats are not all together: no block of %(quantity)s seats side by side was left when you were drawn, so they are in two rows, one behind the other.": "Vos places ne sont pas toutes ensemble : il ne restait plus de bloc de %(quantity)s places côte à côte quand vous avez été tiré au sort, elles sont donc sur deux rangs, l’un derrière l'autre.",
    "Your seats are not all together: no block of %(n)s seat side by side was left when you were drawn, so they are in two rows, one behind the other.": (
        "Vos places ne sont pas toutes ensemble : il ne restait plus de bloc de %(n)s place côte à côte quand vous avez été tiré au sort, elles sont donc sur deux rangs, l’un derrière l'autre.",
        "Vos places ne sont pas toutes ensemble : il ne restait plus de bloc de %(n)s places côte à côte quand vous avez été tiré au sort, elles sont donc sur deux rangs, l’un derrière l'autre."),
    "The %(amount)s in cash the customer handed over for the difference was not taken: hand it back.":
        "Les %(amount)s en espèces remis par le client pour la différence n'ont pas été encaissés : rendez-les-lui.",
    "Pay for your reservation: %(event)s — order %(code)s":
        "Payez votre réservation : %(event)s — commande %(code)s",
    "Reminder: pay for your reservation: %(event)s — order %(code)s":
        "Rappel : payez votre réservation : %(event)s — commande %(code)s",
    "nothing was sold and the payment was refunded": "rien n'a été vendu et le paiement a été remboursé",
    "status last emailed": "dernier statut annoncé par courriel",
    "email claimed at": "courriel pris en charge le",
    "the order was cancelled while the payment was taken; the payment was refunded":
        "la commande a été annulée pendant le paiement ; le paiement a été remboursé",
    "a refund of %(amount)s needs a supervisor": "un remboursement de %(amount)s demande un superviseur",
    "paying back %(difference)s needs a supervisor": "rembourser %(difference)s demande un superviseur",
    "%(place)s is already in the zone %(zone)s: a section or a seat is priced by one zone.":
        "%(place)s est déjà dans la zone %(zone)s : une section ou une place n'a qu'une zone de prix.",
    "%(place)s is in two price zones, %(one)s and %(other)s":
        "%(place)s est dans deux zones de prix, %(one)s et %(other)s",
    "%(venue)s already has %(performance)s at this time: one hall sells its seats once.":
        "%(venue)s a déjà %(performance)s à cette heure : une salle ne vend ses places qu'une fois.",
    "%(venue)s already has %(performance)s on %(line)s.": "%(venue)s a déjà %(performance)s le %(line)s.",
    "this address serves staff API tokens only: send Authorization: Token <key> of a staff account, or call the API "
    "without a token": "cette adresse ne sert que les jetons d'API du personnel : envoyez "
        "Authorization: Token <clé> d'un compte du personnel, ou appelez l'API sans jeton",
    "Your ballot application for %(show)s": "Votre inscription au tirage au sort pour %(show)s",
    "We have your application for %(show)s (%(starts)s, %(venue)s), tickets asked for: %(quantity)s. Applications close %(closes)s; we will write to you after the draw with its result.":
        "Nous avons votre inscription pour %(show)s (%(starts)s, %(venue)s), billets demandés : %(quantity)s. Les inscriptions ferment le %(closes)s ; nous vous écrirons après le tirage avec son résultat.",
    "This performance is cancelled: the ballot takes no more applications.":
        "Cette représentation est annulée : le tirage au sort ne prend plus d'inscriptions.",
    "Applications are closed: every applicant is emailed after the draw.":
        "Les inscriptions sont closes : chaque inscrit reçoit un courriel après le tirage.",
    "Your ballot tickets for %(show)s were released": "Vos billets du tirage au sort pour %(show)s ont été libérés",
    "The tickets held for you were not paid for by the deadline, %(until)s: they went to the next applicants in the draw. Nothing was charged.":
        "Les billets retenus pour vous n'ont pas été payés avant l'échéance, %(until)s : ils sont allés aux inscrits suivants du tirage. Rien n'a été débité.",
    "It opens in about %(shown)s hour.": ("Elle ouvre dans environ %(shown)s heure.",
                                           "Elle ouvre dans environ %(shown)s heures."),
    "about %(shown)s hour": ("environ %(shown)s heure", "environ %(shown)s heures"),
    "It opens in about %(shown)s day.": ("Elle ouvre dans environ %(shown)s jour.",
                                          "Elle ouvre dans environ %(shown)s jours."),
    "role": "rôle",
    # the organizer's set-up: prices, taxes, booking fees, presale codes
    "A price cannot be negative; enter 0.00 for a free ticket.": "Un prix ne peut être négatif ; entrez 0,00 pour un billet gratuit.",
    "%(zone)s is a price zone of another performance (%(other)s); choose one of %(performance)s's zones.": "%(zone)s est une zone de prix d'une autre représentation (%(other)s) ; choisissez une des zones de cette représentation-ci (%(performance)s).",
    "%(zone)s has two prices here; keep one.": "%(zone)s a deux prix ici ; gardez-en un.",
    "A tax rate is a percentage between 0 and 100, e.g. 9.975.": "Un taux de taxe est un pourcentage entre 0 et 100, par exemple 9,975.",
    "%(channel)s has a booking fee already; change that one.": "%(channel)s a déjà des frais de service ; modifiez ceux-là.",
    "%(channel)s has two booking fees; keep one (per ticket and per order go on the same line).": "%(channel)s a deux lignes de frais de service ; gardez-en une (par billet et par commande vont sur la même ligne).",
    "The code %(code)s is twice in this list.": "Le code %(code)s figure deux fois dans cette liste.",
    "%(presale)s: %(count)d single-use code generated. Export it as CSV to send it out.": ("%(presale)s : %(count)d code à usage unique généré. Exportez-le en CSV pour l'envoyer.",
                                                                                            "%(presale)s : %(count)d codes à usage unique générés. Exportez-les en CSV pour les envoyer."),
    "Generate single-use presale codes": "Générer des codes de prévente à usage unique",
    "Each is used once (one order), and is 10 characters long.": "Chacun sert une fois (une commande) et compte 10 caractères.",
    "New single-use codes for %(presales)s:\n  random, from letters and digits that cannot be misread (no 0, O, 1 or I).": "Nouveaux codes à usage unique pour %(presales)s :\n  au hasard, de lettres et de chiffres impossibles à confondre (ni 0, O, 1 ni I).",
    "Generate": "Générer",
    "mailbox": "boîte de courriel",
    "this email address has already applied (or the same mailbox written another way: with a +tag, or with dots at "
    "Gmail)": "cette adresse courriel est déjà inscrite (ou la même boîte écrite autrement : avec un +étiquette, ou "
    "avec des points chez Gmail)",
    "Today": "Aujourd'hui",
    "the payment provider did not answer: nothing was charged and the places are still held. Try again in a moment": "le prestataire de paiement n'a pas répondu : rien n'a été débité et les places sont toujours retenues. Réessayez dans un instant",
    "Seats held for this caller": "Places retenues pour cet appelant",
    "held until %(time)s": "retenues jusqu'à %(time)s",
    "Paid back since, for what is no longer in this order (not in the total above):": "Remboursé depuis, pour ce qui n'est plus dans cette commande (hors du total ci-dessus) :",
    "this ticket was exchanged on %(when)s; the ticket it became was refunded on %(refunded)s and is void": "ce billet a été échangé le %(when)s ; le billet qui l'a remplacé a été remboursé le %(refunded)s et est annulé",
    "%(amount)s waits for the payment provider: it is sent again until the provider takes it.": "%(amount)s attend le prestataire de paiement : le remboursement est renvoyé jusqu'à ce qu'il l'accepte.",
    "a dearer exchange is paid at the counter, in cash or on its card terminal: by phone, choose seats that cost the same or less": "un échange plus cher se paie au guichet, en espèces ou au terminal de paiement : par téléphone, choisissez des places au même prix ou moins chères",
    "the new seats cost %(amount)s more; %(rule)s": "les nouvelles places coûtent %(amount)s de plus ; %(rule)s",
    "for %(clerk)s": "pour %(clerk)s",
    "give the scan's time with its offset from UTC (or Z)": "donnez l'heure du passage avec son décalage par rapport à UTC (ou Z)",
    "the Authorization header holds a character that is not plain ASCII": "l'en-tête Authorization contient un caractère qui n'est pas de l'ASCII simple",
    "unknown field: nothing was refunded": "champ inconnu : rien n'a été remboursé",
    "Of which %(amount)s is the fee per order: the performance is cancelled, it goes back too.":
        "Dont %(amount)s de frais par commande : la représentation est annulée, ils sont rendus aussi.",
    "this ticket was refunded on %(when)s and is void": "ce billet a été remboursé le %(when)s et n'est plus valide",
    "this ticket was exchanged on %(when)s for another ticket to this performance: scan the new one":
        "ce billet a été échangé le %(when)s contre un autre billet pour cette représentation : scannez le nouveau",
    "this ticket was exchanged on %(when)s for a ticket to %(event)s on %(starts)s":
        "ce billet a été échangé le %(when)s contre un billet pour %(event)s le %(starts)s",
    "%(paid)s of this order was paid at the counter, and only the counter hands it back: send the caller to the "
    "counter to refund this order.":
        "%(paid)s de cette commande a été payé au guichet, et seul le guichet le rend : envoyez l'appelant au "
        "guichet pour rembourser cette commande.",
    "The card is paid back by the payment provider; %(email)s is emailed what was paid back.":
        "La carte est remboursée par le prestataire de paiement ; %(email)s reçoit par courriel ce qui a été rendu.",
    "choose the zone of the new seats": "choisissez la zone des nouvelles places",
    "Exchanged. %(amount)s paid back to the card.": "Échangé. %(amount)s remboursé sur la carte.",
    "The new tickets are on their way to %(email)s.": "Les nouveaux billets partent vers %(email)s.",
    "The new seats were released; the caller keeps their tickets.":
        "Les nouvelles places ont été libérées ; l'appelant garde ses billets.",
    "Paid back to the card the order was paid with, by the payment provider: ask the caller for no card number.":
        "Remboursé sur la carte qui a payé la commande, par le prestataire de paiement : ne demandez aucun numéro "
        "de carte à l'appelant.",
    "Moving to another performance takes every ticket of the order.":
        "Passer à une autre représentation prend tous les billets de la commande.",
    "No performance of this event is on sale by phone.":
        "Aucune représentation de ce spectacle n'est en vente par téléphone.",
    "Supervisor approval (a phone operator refunds nothing alone)":
        "Accord d'un superviseur (un téléphoniste ne rembourse rien seul)",
    "Paid back to the card the order was paid with, by the payment provider:":
        "Remboursé sur la carte qui a payé la commande, par le prestataire de paiement :",
    "Refund refused by the card provider, still owed": "Remboursement refusé par le prestataire de carte, toujours dû",
    "Refund waiting for the card provider": "Remboursement en attente du prestataire de carte",
    "Order %(code)s is for %(event)s on %(when)s, not this performance.":
        "La commande %(code)s est pour %(event)s le %(when)s, pas pour cette représentation.",
    "Printed": "Imprimé",
    "Note": "Note",
    "A counter walk-in is found by the order code on their slip.":
        "Un client servi au guichet se retrouve par le code de commande de son reçu.",
    "Of which %(amount)s of fees this order kept when it gave back tickets earlier: the performance is cancelled, they go back too.": "Dont %(amount)s de frais que cette commande avait retenus en rendant des billets plus tôt : la représentation est annulée, ils sont rendus aussi.",
    "%(n)d card refund is not yet taken by the payment provider: it is sent again until it answers.": (
        "%(n)d remboursement par carte n’est pas encore accepté par le prestataire de paiement : il est renvoyé jusqu’à sa réponse.",
        "%(n)d remboursements par carte ne sont pas encore acceptés par le prestataire de paiement : ils sont renvoyés jusqu’à sa réponse."),
    "Total paid": "Total payé",
    "Net paid": "Net payé",
    "price choices": "choix de prix",
    "short by": "il manque",
    "Nothing held: %(reason)s (%(seats)s). The other seats are still picked.":
        "Rien n'est retenu : %(reason)s (%(seats)s). Les autres places restent choisies.",
    "Refund (places back on sale; fees not refundable kept)":
        "Rembourser (places remises en vente ; frais non remboursables gardés)",
    "Each paid order below is refunded: its tickets stop being valid, its places go back on sale, the money goes back the way it was paid, less the fees that are not refundable, and the buyer is emailed. This cannot be undone.":
        "Chaque commande payée ci-dessous est remboursée : ses billets cessent d'être valides, ses places sont "
        "remises en vente, l'argent est rendu comme il a été payé, moins les frais non remboursables, et l'acheteur "
        "reçoit un courriel. C'est irréversible.",
    "the performance was just cancelled; look the order up again": "la représentation vient d'être annulée ; rouvrez la commande",
    "This performance is cancelled. Your order %(code)s was refunded before it was, less fees that were not refundable then: those are paid back too, at the box office, where the order was paid. Bring this email to the box office.":
        "Cette représentation est annulée. Votre commande %(code)s avait été remboursée avant, moins des frais qui "
        "n'étaient alors pas remboursables : ils sont remboursés aussi, à la billetterie, où la commande a été payée. "
        "Apportez ce courriel à la billetterie.",
    "order %(code)s is no longer for a cancelled performance": "la commande %(code)s n'est plus pour une représentation annulée",
    "Cancelled on %(when)s.": "Annulée le %(when)s.",
    "%(n)d order refunded earlier still holds fees to give back.": (
        "%(n)d commande remboursée plus tôt garde des frais à rendre.",
        "%(n)d commandes remboursées plus tôt gardent des frais à rendre."),
    "%(n)d card refund was refused by the payment provider: owed by other means.": (
        "%(n)d remboursement par carte a été refusé par le prestataire de paiement : dû par un autre moyen.",
        "%(n)d remboursements par carte ont été refusés par le prestataire de paiement : dus par un autre moyen."),
    "the organizer chose automatic": "l'organisateur a choisi automatique",
    "the organizer chose normal": "l'organisateur a choisi normal",
    "the organizer chose light": "l'organisateur a choisi allégé",
    "held": "retenue", "released": "libérée", "sold": "vendue", "back on sale": "remise en vente",
    "withdrawn (cancelled)": "retirée (annulation)", "blocked": "bloquée", "unblocked": "débloquée",
    "allocated": "attribuée",
    "Time zone of the times": "Fuseau horaire des heures",
    "differs: count it again": "diffère : recomptez",
    "matches": "correspond",
    "Give the colour as # and six hexadecimal digits, like #3b82f6.":
        "Donnez la couleur sous la forme # et six chiffres hexadécimaux, comme #3b82f6.",
    "%(performance)s is cancelled: it is not put on sale": "%(performance)s est annulée : elle n'est pas mise en vente",
    "Every ticket still valid was used at the door: nothing to refund.":
        "Chaque billet encore valide a servi à l'entrée : rien à rembourser.",
    "used at the door, %(time)s (%(door)s)": "utilisé à l'entrée, %(time)s (%(door)s)",
    "used at the door, %(time)s": "utilisé à l'entrée, %(time)s",
    "%(draw)s: made and published, kept for anyone to check (untick Enabled to turn the room off)":
        "%(draw)s : fait et publié, gardé pour que chacun puisse le vérifier (décochez Activée pour fermer la file)",
    "Ticket sales are the valid tickets' prices, their fees and taxes included; the fees per order and the fees refunds kept are in the dashboard's net takings.":
        "Les ventes de billets sont les prix des billets valides, frais et taxes compris ; les frais par commande "
        "et les frais gardés par les remboursements sont dans les recettes nettes du tableau de bord.",
    "%(method)s is not allowed here; use GET": "%(method)s n'est pas permis ici ; utilisez GET",
    "section %(name)s: a name holds something that is not a character":
        "section %(name)s : un nom contient quelque chose qui n'est pas un caractère",
    "The date %(date)s is more than ten years away.": "La date %(date)s est à plus de dix ans d'ici.",
    "The date %(date)s is before the year 2000.": "La date %(date)s est antérieure à l'an 2000.",
    "fees refunded": "frais remboursés",
    "%(shown)s order refunded earlier kept %(amount)s of fees: they are paid back too, the way it was paid.": (
        "%(shown)s commande remboursée plus tôt a gardé %(amount)s de frais : ils sont remboursés aussi, comme elle a été payée.",
        "%(shown)s commandes remboursées plus tôt ont gardé %(amount)s de frais en tout : ils sont remboursés aussi, "
        "comme chacune a été payée."),
    "Pay back the fees this order kept?": "Rembourser les frais que cette commande a gardés ?",
    "This order was refunded before the performance was cancelled and kept %(amount)s of fees: they go back too.":
        "Cette commande a été remboursée avant l'annulation de la représentation et a gardé %(amount)s de frais : "
        "ils sont remboursés aussi.",
    "Pay back the fees: %(amount)s": "Rembourser les frais : %(amount)s",
    "Sales in progress": "Ventes en cours",
    "%(n)s seat held until %(until)s": ("%(n)s place retenue jusqu'à %(until)s",
                                         "%(n)s places retenues jusqu'à %(until)s"),
    "Leave this sale? Its seats stay held until it lapses; it is listed under Sales in progress.":
        "Quitter cette vente ? Ses places restent retenues jusqu'à son expiration ; elle figure sous Ventes en cours.",
    "%(code)s has no cents: the box office prices to the cent, in currencies that have them.": "%(code)s n'a pas de centimes : la billetterie compte au centime, dans les devises qui en ont.",
    "Refund the ticked tickets": "Rembourser les billets cochés",
    "Refund the whole order: %(amount)s back": "Rembourser toute la commande : %(amount)s rendus",
    "Tickets of your order %(code)s were exchanged: here are your tickets as they now stand.": "Des billets de votre commande %(code)s ont été échangés : voici vos billets tels qu'ils sont maintenant.",
    "Some tickets of your order %(code)s were refunded: here are the tickets still valid.": "Des billets de votre commande %(code)s ont été remboursés : voici les billets toujours valides.",
    "Your tickets now total:": "Vos billets totalisent maintenant :",
    "send the API token as Authorization: Token <key>": "envoyez le jeton de l'API comme Authorization: Token <clé>",
    "Cash rounding to the coin (what the drawers took beyond the amounts above)": "Arrondi des espèces à la pièce (ce que les tiroirs-caisses ont reçu au-delà des montants ci-dessus)",
    "Cash rounding to the coin: the drawers took %(amount)s beyond the amounts above.": "Arrondi des espèces à la pièce : les tiroirs-caisses ont reçu %(amount)s au-delà des montants ci-dessus.",
    "%(shown)s paid in cash or on the card terminal is paid back at the counter when its buyer comes with the tickets.": ("%(shown)s commande payée en espèces ou au terminal de paiement est remboursée au comptoir quand son acheteur vient avec les billets.", "%(shown)s commandes payées en espèces ou au terminal de paiement sont remboursées au comptoir quand leurs acheteurs viennent avec les billets."),
    "%(shown)s of these buyers is emailed to come with the tickets.": ("%(shown)s de ces acheteurs reçoit un courriel l'invitant à venir avec les billets.", "%(shown)s de ces acheteurs reçoivent un courriel les invitant à venir avec leurs billets."),
    "%(shown)s bought at the counter without an email address and cannot be told: announce the cancellation where they will see it (the venue's website, its doors).": ("%(shown)s a acheté au comptoir sans adresse courriel et ne peut pas être prévenu : annoncez l'annulation là où il la verra (le site de la salle, ses portes).", "%(shown)s ont acheté au comptoir sans adresse courriel et ne peuvent pas être prévenus : annoncez l'annulation là où ils la verront (le site de la salle, ses portes)."),
    "In cash, to the nearest %(step)s: <strong>%(amount)s</strong>": "En espèces, arrondi à %(step)s près : <strong>%(amount)s</strong>",
    "On fees kept from refunds and exchanges": "Sur les frais retenus des remboursements et échanges",
    "Enter the currency's three-letter code in capitals, such as CAD or EUR.": "Entrez le code de la devise en trois lettres majuscules, comme CAD ou EUR.",
    "this address cannot receive email; enter one that can": "cette adresse ne peut pas recevoir de courriel ; entrez-en une qui le peut",
    "Your order %(code)s was refunded: its tickets are no longer valid.":
        "Votre commande %(code)s a été remboursée : ses billets ne sont plus valides.",
    "The card provider refused to pay you back by card: you will be paid back by other means.":
        "Le prestataire de carte a refusé de vous rembourser sur votre carte : vous serez remboursé autrement.",
    "What the card provider refused to pay back by card was paid back to you by other means.":
        "Ce que le prestataire de carte a refusé de rembourser sur votre carte vous a été remboursé autrement.",
    "What happened": "Ce qui s’est passé",
    "refund: waiting for the payment provider": "remboursement : en attente du prestataire de paiement",
    "refund: refused by the payment provider": "remboursement : refusé par le prestataire de paiement",
    "refund: refused by the payment provider, paid back by other means":
        "remboursement : refusé par le prestataire de paiement, remboursé autrement",
    "This payment was replaced by your payment with another card: here is your order.":
        "Ce paiement a été remplacé par votre paiement avec une autre carte : voici votre commande.",
    "The payment was not made: %(reason)s.": "Le paiement n’a pas été fait : %(reason)s.",
    "the buyer paid with another card instead": "l’acheteur a payé avec une autre carte à la place",
    "settling %(amount)s needs a supervisor": "régler %(amount)s demande un superviseur",
    "Still owed: the card provider refused the refund of %(when)s (%(method)s); you will be paid back by other means":
        "Toujours dû : le prestataire de carte a refusé le remboursement du %(when)s (%(method)s) ; vous serez "
        "remboursé autrement",
    "Paid back by other means (the card provider refused the refund of %(when)s)":
        "Remboursé autrement (le prestataire de carte a refusé le remboursement du %(when)s)",
    "Not sent: %(reason)s": "Non envoyé : %(reason)s",
    "The tickets are being emailed to %(email)s.": "Les billets sont envoyés par courriel à %(email)s.",
    "this order's buyer is %(email)s already: send their tickets again instead":
        "l’acheteur de cette commande est déjà %(email)s : renvoyez-lui plutôt ses billets",
    "order %(code)s is %(status)s; only a paid order's tickets are emailed":
        "la commande %(code)s est %(status)s ; seuls les billets d’une commande payée sont envoyés",
    "tickets emailed to the buyer": "billets envoyés à l’acheteur",
    "Email the tickets to the buyer": "Envoyer les billets à l’acheteur par courriel",
    "(optional)": "(facultatif)",
    "Send the tickets": "Envoyer les billets",
    "A seat you chose was just taken by another buyer.": "Une place choisie vient d’être prise par un autre acheteur.",
    "{n} seats you chose were just taken by another buyer.":
        "{n} places choisies viennent d’être prises par un autre acheteur.",
    "Settle refunds the provider refused (paid back by other means)":
        "Régler les remboursements refusés par le prestataire (remboursés autrement)",
    "Your role does not refund orders; ask a supervisor.":
        "Votre rôle ne rembourse pas de commandes ; demandez à un superviseur.",
    "Settled the refused refunds of %(n)d order.": ("Remboursements refusés réglés pour %(n)d commande.",
                                                    "Remboursements refusés réglés pour %(n)d commandes."),
    "None of these orders has a refund the provider refused.":
        "Aucune de ces commandes n’a de remboursement refusé par le prestataire.",
    "How it was paid back": "Comment il a été remboursé",
    "A cheque and its number, a bank transfer and its reference: kept on each order's record.":
        "Un chèque et son numéro, un virement et sa référence : noté à l’historique de chaque commande.",
    "These seats are being paid for (your bank's step, in another window): finish that payment, or let it lapse, first.":
        "Ces places sont en cours de paiement (l’étape de votre banque, dans une autre fenêtre) : terminez ce "
        "paiement, ou laissez-le expirer, d’abord.",
    "Your bank confirmed your earlier payment: here is your order. Nothing more was charged.":
        "Votre banque a confirmé votre paiement précédent : voici votre commande. Rien de plus n’a été débité.",
    "cash handed over": "espèces remises",
    "refund settled by other means": "remboursement réglé autrement",
    "Settle refused refunds": "Régler les remboursements refusés",
    "The payment provider refused to pay these buyers back. Once you have paid them by other means, say how: each order's refund is marked settled, with your name and what you write, and leaves the refunds to settle.":
        "Le prestataire de paiement a refusé de rembourser ces acheteurs. Une fois remboursés autrement, dites "
        "comment : le remboursement de chaque commande est marqué réglé, avec votre nom et ce que vous écrivez, et "
        "quitte les remboursements à régler.",
    "Refused by the provider, owed": "Refusé par le prestataire, dû",
    "Nothing refused to settle": "Aucun refus à régler",
    "Please correct the error below.": "Veuillez corriger l’erreur ci-dessous.",
    "Mark %(n)s order's refund settled": ("Marquer réglé le remboursement de %(n)s commande",
                                          "Marquer réglés les remboursements de %(n)s commandes"),
    "Back to the orders": "Retour aux commandes",
    "Earlier sales, not split by tax": "Ventes antérieures, non ventilées",
    "of which prices before tax": "dont prix avant taxes",
    "Fees per order, with their taxes": "Frais par commande, taxes comprises",
    "%(zone)s already has a price for this type; change that one.": "%(zone)s a déjà un prix pour ce type ; modifiez celui-là.",
    "none yet": "aucune pour l'instant",
    "%(section)s row %(row)s seat %(number)s": "%(section)s rangée %(row)s siège %(number)s",
    "Amount due": "Montant dû",
    "in cash": "en espèces",
    "A standing section holds a number of people: give its capacity.":
        "Une section debout accueille un nombre de personnes : indiquez sa capacité.",
    "A seated section holds its seats: leave its capacity empty.":
        "Une section assise compte ses sièges : laissez sa capacité vide.",
    "taxes": "taxes",
    "of which fees before tax": "dont frais avant taxes",
    "Tax": "Taxe",
    "Registration": "Numéro d'inscription",
    "On tickets and their fees": "Sur les billets et leurs frais",
    "On orders' fees": "Sur les frais par commande",
    "To remit": "À remettre",
    "Fees collected, before tax": "Frais perçus, avant taxes",
    "This performance was cancelled; the seats were released.": "Cette représentation a été annulée ; les places ont été libérées.",
    "Exchanged. %(amount)s paid.": "Échangé. %(amount)s payés.",
    "this performance is cancelled: refund the order in full": "cette représentation est annulée : remboursez la commande en entier",
    "this ticket is for %(event)s on %(when)s, which is cancelled: nobody is let in with it":
        "ce billet est pour %(event)s le %(when)s, qui est annulée : il ne fait entrer personne",
    "This performance is cancelled: nobody is let in.": "Cette représentation est annulée : personne n'entre.",
    "Cancel this reservation and put its seats back on sale?": "Annuler cette réservation et remettre ses places en vente ?",
    "moved at": "déplacée le",
    "Unblocked": "Débloquées",
    "every channel": "tous les canaux",
    "Allocated to %(channel)s": "Attribuées au canal %(channel)s",
    "Allocate places to a channel": "Attribuer des places à un canal",
    "public value, commitment": "valeur publique, engagement",
    "public page": "page publique",
    "Ballot for %(performance)s (%(zone)s)": "Tirage au sort pour %(performance)s (%(zone)s)",
    "Draw for %(subject)s": "Tirage : %(subject)s",
    "The zones it opens; none chosen: all.": "Les zones qu'elle ouvre ; aucune choisie : toutes.",
    "The price types it sells; none chosen: all.": "Les tarifs qu'elle vend ; aucun choisi : tous.",
    "A presale closes after it opens.": "Une prévente ferme après son ouverture.",
    "Not of %(performance)s: %(outside)s.": "Pas de cette représentation (%(performance)s) : %(outside)s.",
    "refund notice sent": "avis de remboursement envoyé",
    "cancellation notice sent": "avis d'annulation envoyé",
    "refund refused by provider": "remboursement refusé par le prestataire",
    "%(action)s: %(detail)s": "%(action)s : %(detail)s",
    "Keep this place for one channel; only that channel may sell it.": (
        "Garder cette place pour un seul canal ; lui seul pourra la vendre.",
        "Garder ces %(shown)s places pour un seul canal ; lui seul pourra les vendre."),
    "Allocate": "Attribuer",
    "%(field)s: “%(typed)s” reads two ways. Type the amount without a thousands separator, like 1000 or 1000.00":
        "%(field)s : «\u00a0%(typed)s\u00a0» se lit de deux façons. Tapez le montant sans séparateur de milliers, "
        "comme 1000 ou 1000,00",
    "%(field)s has more than two decimals": "%(field)s a plus de deux décimales",
    "The count differs from what the shift took. Count again, or close with this count.":
        "Le compte diffère de ce que le quart a encaissé. Recomptez, ou fermez avec ce compte.",
    "Close with this count and print the report": "Fermer avec ce compte et imprimer le rapport",
    "Starts": "Début",
    "Add a performance": "Ajouter une représentation",
    "The date %(line)s is more than ten years away.": "La date %(line)s est à plus de dix ans d'ici.",
    "refunds to settle": "remboursements à régler",
    "Refused by the payment provider": "Refusés par le prestataire de paiement",
    "Waiting for the payment provider": "En attente du prestataire de paiement",
    "%(code)s: the payment provider refused to pay back %(amount)s. It is still owed to the buyer: pay it back by other means (the order's record has the provider's words).":
        "%(code)s : le prestataire de paiement a refusé de rembourser %(amount)s. La somme reste due à l'acheteur : "
        "remboursez-la par un autre moyen (l'historique de la commande donne la réponse du prestataire).",
    "One minute left: take the payment now, or the seats are released.":
        "Il ne reste qu'une minute : encaissez maintenant, ou les places sont libérées.",
    "The hold lapsed and the seats were released.": "La retenue a expiré et les places ont été libérées.",
    "Start again": "Recommencer",
    "One minute left on this hold: extend it (E) or take the payment.":
        "Il ne reste qu'une minute sur cette retenue : prolongez-la (E) ou encaissez.",
    "Back to the caller": "Retour à l'appelant",
    "The date %(line)s has passed.": "La date %(line)s est passée.",
    "%(line)s appears twice.": "%(line)s figure deux fois.",
    "The show already has a performance on %(line)s.": "Le spectacle a déjà une représentation le %(line)s.",
    "Cancelled on %(when)s. Every buyer has been paid back.": "Annulée le %(when)s. Tous les acheteurs ont été remboursés.",
    "%(channel)s until %(when)s": "%(channel)s jusqu'au %(when)s",
    "Refunded: %(back)s. The performance is cancelled.": "Remboursé : %(back)s. La représentation est annulée.",
    "This performance is cancelled: your seats were released.": "Cette représentation est annulée : vos places ont été libérées.",
    "Nothing has been paid for it yet.": "Rien n'a encore été payé pour elle.",
    "Refund the order in full: its fees too.": "Remboursez la commande en entier : ses frais aussi.",
    "Your reservation %(code)s is cancelled with it. It was not paid: nothing was charged, and there is nothing to do.":
        "Votre réservation %(code)s est annulée avec elle. Elle n'était pas payée : rien n'a été débité, et vous n'avez rien à faire.",
    "Your order %(code)s (%(total)s) is being refunded in full, fees included, the way it was paid; a second email confirms it.":
        "Votre commande %(code)s (%(total)s) est remboursée en entier, frais compris, de la façon dont elle a été payée ; un second courriel le confirme.",
    "description in English": "description en anglais",
    "If it differs from the one above: shown to English readers.": "Si elle diffère de celle ci-dessus : montrée aux lecteurs anglophones.",
    "description in French": "description en français",
    "If it differs from the one above: shown to French readers.": "Si elle diffère de celle ci-dessus : montrée aux lecteurs francophones.",
    "name in English": "nom en anglais",
    "name in French": "nom en français",
    "note in English": "note en anglais",
    "note in French": "note en français",
    "New dates and times": "Nouvelles dates et heures",
    "One a line, on the venue's clock, like 2027-01-15 20:00.": "Une par ligne, à l'heure de la salle, comme 15/01/2027 20:00 (ou 20h00).",
    "At most 100 dates at a time.": "Au plus 100 dates à la fois.",
    "“%(line)s” is not a date and time like 2027-01-15 20:00.": "«\u00a0%(line)s\u00a0» n'est pas une date et une heure comme 15/01/2027 20:00.",
    "Made %(n)d performance, not on sale yet:": ("%(n)d représentation créée, pas encore en vente :",
                                                 "%(n)d représentations créées, pas encore en vente :"),
    "Other dates of %(performance)s": "Autres dates : %(performance)s",
    "Other dates…": "Autres dates…",
    "Other dates": "Autres dates",
    "Each date becomes a performance of the same show at %(venue)s, with this one's price zones, price types and prices, ticket limit and doors (as long before the start), and its sale windows: they open when this one's do and close as long before the start. Each is put on sale on its own page. Times are on the venue's clock (%(zone)s).":
        "Chaque date devient une représentation du même spectacle, dans la même salle (%(venue)s), avec les zones de prix, tarifs et prix de celle-ci, sa limite de billets et son ouverture des portes (autant avant le début), et ses périodes de vente : elles ouvrent quand celles-ci ouvrent et ferment autant avant le début. Chacune est mise en vente sur sa propre page. Les heures sont à l'heure de la salle (%(zone)s).",
    "Make these performances": "Créer ces représentations",
    "Enter a valid email address, like name@example.org.": "Saisissez une adresse courriel valide, comme nom@exemple.org.",
    "Change due:": "Monnaie à rendre :",
    "Performances on sale": "Représentations en vente",
    "Cancel this sale and release its seats?": "Annuler cette vente et libérer ses places ?",
    "%(n)s ticket found.": ("%(n)s billet trouvé.", "%(n)s billets trouvés."),
    "Admit %(name)s, %(place)s": "Faire entrer %(name)s, %(place)s",
    "Release these seats? The caller loses them.": "Libérer ces places ? L'appelant les perd.",
    "Single-key shortcuts: on": "Raccourcis : activés",
    "Single-key shortcuts: off": "Raccourcis : désactivés",
    "The sale window that ran until the show moved with it: %(windows)s.": (
        "La période de vente qui courait jusqu'au spectacle a été déplacée avec lui : %(windows)s.",
        "Les périodes de vente qui couraient jusqu'au spectacle ont été déplacées avec lui : %(windows)s."),
    "Check this sale window, which did not move: %(windows)s.": (
        "Vérifiez cette période de vente, qui n'a pas été déplacée : %(windows)s.",
        "Vérifiez ces périodes de vente, qui n'ont pas été déplacées : %(windows)s."),
    "moved from": "déplacée depuis",
    "The performance has moved: it was on %(was)s. Your tickets are valid for the new time.":
        "La représentation a été déplacée : elle était prévue le %(was)s. Vos billets sont valables pour la nouvelle date.",
    "The performance has moved from %(was)s to %(now)s. Your tickets are valid for the new time.":
        "La représentation a été déplacée du %(was)s au %(now)s. Vos billets sont valables pour la nouvelle date.",
    "Write this on one line, without line breaks or tabs.": "Écrivez-le sur une ligne, sans saut de ligne ni tabulation.",
    "the deadline has passed; give one to come": "cette échéance est passée ; donnez-en une à venir",
    "What the buyers are told": "Ce qui est dit aux acheteurs",
    "In their email and on their order's page, e.g. why, or a date it moves to.":
        "Dans leur courriel et sur la page de leur commande : par exemple pourquoi, ou la date où elle est reportée.",
    "I understand that this cannot be undone.": "Je comprends que c'est irréversible.",
    "Tick this to cancel the performance.": "Cochez cette case pour annuler la représentation.",
    "Cancelled on %(when)s. Still to pay back: %(by_us)d by the box office (under way), %(counter)d at the counter.":
        "Annulée le %(when)s. Reste à rembourser : %(by_us)d par la billetterie (en cours), %(counter)d au guichet.",
    "This performance is already cancelled.": "Cette représentation est déjà annulée.",
    "The performance is cancelled: nothing more is sold, and its buyers are being paid back and emailed.":
        "La représentation est annulée : plus rien n'est vendu, et ses acheteurs sont remboursés et prévenus par courriel.",
    "Cancel %(performance)s?": "Annuler %(performance)s ?",
    "cancelled at": "annulée le",
    "cancellation note": "note d'annulation",
    "What the buyers are told, in their email and on their order's page.":
        "Ce qui est dit aux acheteurs, dans leur courriel et sur la page de leur commande.",
    "%(performance)s is cancelled": "%(performance)s est annulée",
    "Cancelled: %(event)s — order %(code)s": "Annulé : %(event)s — commande %(code)s",
    "this performance is already cancelled": "cette représentation est déjà annulée",
    "this performance was cancelled; the payment was refunded": "cette représentation a été annulée ; le paiement a été remboursé",
    "this performance was cancelled": "cette représentation a été annulée",
    "this performance is cancelled: nobody is let in": "cette représentation est annulée : personne n'entre",
    "Cancel": "Annuler",
    "Cancelling stops every sale of this performance at once, takes its unsold places off sale, and pays every buyer back in full, fees included. It cannot be undone.":
        "L'annulation arrête aussitôt toute vente de cette représentation, retire de la vente ses places invendues et rembourse chaque acheteur en entier, frais compris. C'est irréversible.",
    "%(shown)s paid order, %(amount)s in all:": ("%(shown)s commande payée, %(amount)s en tout :",
                                             "%(shown)s commandes payées, %(amount)s en tout :"),
    "%(shown)s paid by card online or by phone is paid back by the box office now, and its buyer emailed;":
        ("%(shown)s payée par carte en ligne ou par téléphone est remboursée maintenant par la billetterie, et son acheteur prévenu par courriel ;",
         "%(shown)s payées par carte en ligne ou par téléphone sont remboursées maintenant par la billetterie, et leurs acheteurs prévenus par courriel ;"),
    "%(shown)s phone reservation not yet paid is cancelled.": ("%(shown)s réservation téléphonique non payée est annulée.",
                                                          "%(shown)s réservations téléphoniques non payées sont annulées."),
    "%(shown)s basket or hold in progress is released (a payment under way is paid back).":
        ("%(shown)s panier ou retenue en cours est libéré (un paiement en cours est remboursé).",
         "%(shown)s paniers ou retenues en cours sont libérés (les paiements en cours sont remboursés)."),
    "Cancel the performance and pay everyone back": "Annuler la représentation et rembourser tout le monde",
    "Cancel this performance…": "Annuler cette représentation…",
    "We are sorry: this performance is cancelled.": "Nous sommes désolés : cette représentation est annulée.",
    "Your order %(code)s (%(total)s) was paid at the box office: it is paid back there, in full, the way it was paid. Bring your tickets or this email to the box office.":
        "Votre commande %(code)s (%(total)s) a été payée à la billetterie : elle y est remboursée en entier, de la façon dont elle a été payée. Apportez vos billets ou ce courriel à la billetterie.",
    "This performance is cancelled. Your order %(code)s was refunded in full, fees included: what was paid goes back the way it was paid.":
        "Cette représentation est annulée. Votre commande %(code)s a été remboursée en entier, frais compris : ce qui a été payé est rendu de la façon dont il a été payé.",
    "This performance is cancelled.": "Cette représentation est annulée.",
    "Every order is paid back in full: a card by the box office itself, cash or the card terminal at the box office, where you bring your tickets.":
        "Chaque commande est remboursée en entier : une carte par la billetterie elle-même, les espèces ou le terminal au guichet, où vous apportez vos billets.",
    "This order was refunded in full.": "Cette commande a été remboursée en entier.",
    "Its buyers are paid back in full.": "Ses acheteurs sont remboursés en entier.",
    "The buyer of %(n)d paid order is sent their tickets again, with the new time and place.": (
        "L’acheteur de %(n)d commande payée reçoit de nouveau ses billets, avec la nouvelle heure et le nouveau lieu.",
        "Les acheteurs de %(n)d commandes payées reçoivent de nouveau leurs billets, avec la nouvelle heure et le "
        "nouveau lieu."),
    "Hold %(pk)s (%(channel)s, %(status)s)": "Retenue %(pk)s (%(channel)s, %(status)s)",
    "Ticket %(place)s (%(code)s)": "Billet %(place)s (%(code)s)",
    "%(channel)s: %(per_ticket)s a ticket, %(per_order)s an order":
        "%(channel)s : %(per_ticket)s par billet, %(per_order)s par commande",
    "%(type)s in %(zone)s: %(amount)s": "%(type)s, zone %(zone)s : %(amount)s",
    "refunded at": "remboursée le",
    "%(zone)s prices %(n)d place of this performance, which is on sale: a zone is not deleted once its places are on sale. Change its price or its name instead.": (
        "%(zone)s donne son prix à %(n)d place de cette représentation, qui est en vente : une zone n’est pas "
        "supprimée une fois ses places en vente. Changez plutôt son prix ou son nom.",
        "%(zone)s donne son prix à %(n)d places de cette représentation, qui est en vente : une zone n’est pas "
        "supprimée une fois ses places en vente. Changez plutôt son prix ou son nom."),
    "Cash, rounded to the coin": "Espèces, arrondies à la pièce",
    "Waiting room for %(performance)s": "File d’attente : %(performance)s",
    "The queue opens before the performance starts.": "La file d’attente ouvre avant le début de la représentation.",
    "Refunded %(n)d order.": ("%(n)d commande remboursée.", "%(n)d commandes remboursées."),
    "Refund these orders?": "Rembourser ces commandes ?",
    "Buyer": "Acheteur",
    "To pay back": "À rembourser",
    "Kept (fees not refundable)": "Retenu (frais non remboursables)",
    "Yes, refund %(n)s order": ("Oui, rembourser %(n)s commande", "Oui, rembourser %(n)s commandes"),
    "No, take me back": "Non, revenir en arrière",
    "door staff": "préposé à l’entrée",
    "This time has passed; a performance is set to start in the future.":
        "Cette heure est passée ; une représentation se programme dans l’avenir.",
    "Your basket changed in another window; nothing was paid. These are the places in it now.":
        "Votre panier a changé dans une autre fenêtre ; rien n’a été payé. Voici les places qu’il contient maintenant.",
    "this performance has begun; sales have closed": "cette représentation a commencé ; la vente est close",
    "Your refund for %(event)s — order %(code)s": "Votre remboursement pour %(event)s — commande %(code)s",
    "the name is too long (at most %(n)d characters)": "le nom est trop long (%(n)d caractères au plus)",
    "Paid back on %(when)s (%(method)s)": "Remboursé le %(when)s (%(method)s)",
    "Not refunded (fees)": "Non remboursé (frais)",
    "Your order %(code)s was refunded: its tickets are no longer valid, and what was paid for them goes back the way it was paid.":
        "Votre commande %(code)s a été remboursée : ses billets ne sont plus valides, et ce qui a été payé "
        "vous est rendu par le même moyen de paiement.",
    "A card refund can take a few days to show on your statement.":
        "Un remboursement sur carte peut prendre quelques jours avant de paraître sur votre relevé.",
    "Your order's page:": "La page de votre commande :",
    "You have seats on hold for %(show)s, %(day)s: go to your basket":
        "Vous avez des places retenues pour %(show)s, %(day)s : voir votre panier",
    "Holding places here releases them.": "Retenir des places ici les libère.",
    "Fees and taxes": "Frais et taxes",
    "Too many requests for this address; wait a while, then ask again.":
        "Trop de demandes pour cette adresse ; patientez un moment, puis redemandez.",
    "The email could not be sent just now; please try again in a moment.":
        "Le courriel n’a pas pu être envoyé pour l’instant ; veuillez réessayer dans un moment.",
    "My tickets": "Mes billets",
    "Hello,": "Bonjour,",
    "Here are the orders bought with this address. Each link opens the order and its tickets:":
        "Voici les commandes faites avec cette adresse. Chaque lien ouvre la commande et ses billets :",
    "order %(code)s": "commande %(code)s",
    "Someone, perhaps you, asked for the tickets bought with this address: we have no order under it. "
    "If you bought with another address, ask again with that one.":
        "Quelqu’un, peut-être vous, a demandé les billets achetés avec cette adresse : nous n’avons aucune "
        "commande sous celle-ci. Si vous avez acheté avec une autre adresse, redemandez avec celle-là.",
    "Did not ask? You can ignore this email: nothing was changed.":
        "Vous n’avez rien demandé ? Ignorez ce courriel : rien n’a été modifié.",
    "Find my tickets": "Retrouver mes billets",
    "If we have orders under %(email)s, we have just emailed the links to them. Look in your inbox (and in its "
    "spam folder) in a few minutes.":
        "Si nous avons des commandes sous %(email)s, nous venons d’envoyer leurs liens par courriel. Regardez dans "
        "votre boîte de réception (et dans les indésirables) d’ici quelques minutes.",
    "Lost the email with your tickets? Give the address you bought them with: we email it the link to each of "
    "your orders, where your tickets are.":
        "Vous avez perdu le courriel de vos billets ? Donnez l’adresse avec laquelle vous les avez achetés : nous "
        "y envoyons le lien de chacune de vos commandes, où sont vos billets.",
    "Email me my tickets": "M’envoyer mes billets",
    "Not held: %(places)s (%(reasons)s).": "Non retenu : %(places)s (%(reasons)s).",
    "Your other choices are still ticked: hold them, or pick others.":
        "Vos autres choix restent cochés : retenez-les, ou choisissez-en d’autres.",
    "Your ballot application for %(show)s was not drawn":
        "Votre inscription au tirage au sort pour %(show)s n’a pas été tirée",
    "You were drawn in the ballot for %(show)s": "Vous avez été tiré au sort pour %(show)s",
    "Tickets held for you: %(seats)s, for %(show)s (%(starts)s, %(venue)s), until %(until)s: %(total)s to pay, fees and taxes included. Pay for them here: %(link)s":
        "Billets retenus pour vous : %(seats)s, pour %(show)s (%(starts)s, %(venue)s), jusqu’au %(until)s : "
        "%(total)s à payer, frais et taxes compris. Payez-les ici : %(link)s",
    "You were drawn: %(n)s ticket is held for you until %(when)s.": (
        "Vous avez été tiré au sort : %(n)s billet vous est retenu jusqu’au %(when)s.",
        "Vous avez été tiré au sort : %(n)s billets vous sont retenus jusqu’au %(when)s."),
    "the email address is too long (at most %(n)d characters)":
        "l’adresse courriel est trop longue (%(n)d caractères au plus)",
    "Sales open on %(day)s at %(time)s.": "La vente ouvre le %(day)s à %(time)s.",
    "It opens in less than a minute.": "Elle ouvre dans moins d’une minute.",
    "It opens in %(n)s minute.": ("Elle ouvre dans %(n)s minute.", "Elle ouvre dans %(n)s minutes."),
    "You are next: you will be let in in a moment.": "C’est bientôt votre tour : vous entrerez dans un instant.",
    "less than a minute": "moins d’une minute",
    "about %(n)s minute": ("environ %(n)s minute", "environ %(n)s minutes"),
    "Your bank has not answered yet: answer its question, then press the button.":
        "Votre banque n’a pas encore répondu : répondez à sa question, puis appuyez sur le bouton.",
    "this payment is already under way; wait a moment, then look again":
        "ce paiement est déjà en cours ; patientez un instant, puis regardez à nouveau",
    "How long a winner has to pay (at most 30 days, and never past the start of the performance).":
        "Le temps qu’a un gagnant pour payer (30 jours au plus, et jamais au-delà du début de la représentation).",
    "The ballot closes before it opens.": "Le tirage au sort ferme avant d’ouvrir.",
    "This zone is another performance's: choose one of %(performance)s.":
        "Cette zone est celle d’une autre représentation : choisissez-en une de cette représentation-ci (%(performance)s).",
    "The ballot closes after the performance starts.": "Le tirage au sort ferme après le début de la représentation.",
    "Import a seating plan into %(venue)s": "Importer un plan de salle dans %(venue)s",
    "%(type)s has no price in %(zones)s: it is not sold there until it has one.":
        "%(type)s n'a pas de prix pour : %(zones)s ; il n'y est pas vendu tant qu'il n'en a pas.",
    "There are two price types called %(name)s; give each its own name.":
        "Il y a deux tarifs nommés %(name)s ; donnez à chacun son propre nom.",
    "No price in %(zones)s": "Pas de prix pour : %(zones)s",
    "Set prices": "Fixer les prix",
    "Choose one of this performance's price zones (%(zones)s).":
        "Choisissez une des zones de prix de cette représentation (%(zones)s).",
    "(not sold there)": "(pas vendu là)",
    "%(where)s: %(what)s must be a finite number": "%(where)s : %(what)s doit être un nombre fini",
    "%(where)s: capacity must be between 1 and 200000": "%(where)s : la capacité doit être entre 1 et 200000",
    "%(where)s: a seat needs a row and a number": "%(where)s : un siège demande une rangée et un numéro",
    "%(where)s: row and seat number are at most 10 characters":
        "%(where)s : la rangée et le numéro de siège ont au plus 10 caractères",
    "%(where)s: seat %(seat)s of %(section)s appears twice": "%(where)s : le siège %(seat)s (section %(section)s) figure deux fois",
    "line 1: header must name at least section,row,number (and optionally kind,x,y,flags,capacity)":
        "ligne 1 : l'en-tête doit nommer au moins section,row,number (et au choix kind,x,y,flags,capacity)",
    "line %(n)d": "ligne %(n)d",
    "%(where)s: more fields than the header has": "%(where)s : plus de champs que l'en-tête n'en a",
    "%(where)s: section is empty": "%(where)s : la section est vide",
    "%(where)s: section %(name)s is already %(kind)s": "%(where)s : la section %(name)s est déjà %(kind)s",
    "%(where)s: standing section %(name)s is given twice": "%(where)s : la section debout %(name)s est donnée deux fois",
    "%(where)s: unknown flag(s) %(flags)s": "%(where)s : indicateur(s) inconnu(s) %(flags)s",
    "section %(name)s: a seated section has no seats": "section %(name)s : une section assise n'a aucun siège",
    "the file holds no sections": "le fichier ne contient aucune section",
    "the file is not UTF-8 text": "le fichier n'est pas du texte UTF-8",
    "section %(name)s already exists in %(venue)s": "la section %(name)s existe déjà dans %(venue)s",
    "Nothing changed: %(reason)s": "Rien n'a changé : %(reason)s",
    "%(performance)s: places created": "%(performance)s : places créées",
    "Channels": "Canaux",
    "Where the code may be used; none ticked: every channel.":
        "Où le code peut servir ; aucun coché : tous les canaux.",
    "A percentage: 10 for 10 percent off; or give an amount off instead.":
        "Un pourcentage : 10 pour 10 pour cent de rabais ; ou donnez plutôt un montant de rabais.",
    "Off each ticket, or off the order with “once per order”, in the currency below.":
        "Sur chaque billet, ou sur la commande avec «\u00a0une fois par commande\u00a0», dans la devise ci-dessous.",
    "Give the code buyers will type.": "Donnez le code que les acheteurs taperont.",
    "Give a percentage off or an amount off, not both.": "Donnez un pourcentage ou un montant de rabais, pas les deux.",
    "Give a percentage off or an amount off.": "Donnez un pourcentage ou un montant de rabais.",
    "A percentage off is more than 0 and at most 100.": "Un pourcentage de rabais est plus que 0 et au plus 100.",
    "An amount off is more than 0.": "Un montant de rabais est plus que 0.",
    "The code must stop being valid after it starts.": "Le code doit cesser d'être valide après qu'il commence à l'être.",
    "Not a performance this code is valid for: %(items)s.":
        "Pas une représentation pour laquelle ce code est valide : %(items)s.",
    "Limits": "Limites",
    "Where it applies": "Où il s'applique",
    "Leave a list empty for no restriction.": "Laissez une liste vide pour n'imposer aucune restriction.",
    "%(off)s off the order": "%(off)s de rabais sur la commande",
    "%(off)s off each ticket": "%(off)s de rabais sur chaque billet",
    "%(used)d of %(most)d": "%(used)d sur %(most)d",
    "Import seating plan": "Importer le plan de salle",
    "Upload a CSV or JSON seating plan. The whole file is checked first: if any line is wrong, nothing is imported and every problem is listed with its line.":
        "Téléversez un plan de salle en CSV ou JSON. Tout le fichier est vérifié d'abord : si une ligne est fautive, rien n'est importé et chaque problème est listé avec sa ligne.",
    "CSV columns: <code>section,kind,row,number,x,y,flags,capacity</code>: kind <code>seated</code> (the default) or <code>standing</code> (one line, with a capacity); flags <code>wheelchair|companion|restricted</code>.":
        "Colonnes CSV : <code>section,kind,row,number,x,y,flags,capacity</code> : kind <code>seated</code> (par défaut) ou <code>standing</code> (une ligne, avec une capacité) ; flags <code>wheelchair|companion|restricted</code>.",
    "Import": "Importer",
    "Not today: this performance is on %(when)s. Its tickets are refused until the day.":
        "Pas aujourd'hui : cette représentation a lieu le %(when)s. Ses billets sont refusés jusqu'au jour venu.",
    "Not today: this performance was on %(when)s. Its tickets are no longer let in.":
        "Pas aujourd'hui : cette représentation a eu lieu le %(when)s. Ses billets ne donnent plus accès.",
    "this performance is on %(when)s: its tickets are refused until the day":
        "cette représentation a lieu le %(when)s : ses billets sont refusés jusqu'au jour venu",
    "this performance was on %(when)s: its tickets are no longer let in":
        "cette représentation a eu lieu le %(when)s : ses billets ne donnent plus accès",
    "the %(tendered)s tendered is less than the total of %(total)s":
        "le montant reçu de %(tendered)s est inférieur au total de %(total)s",
    "The doors open before the performance starts, not after.":
        "Les portes ouvrent avant le début de la représentation, pas après.",
    "A sale window closes after it opens.": "Une période de vente se termine après son ouverture.",
    "a ticket of this order was just refunded or exchanged; look the order up again":
        "un billet de cette commande vient d'être remboursé ou échangé ; recherchez de nouveau la commande",
    "%(name)s is locked out for %(minutes)d minutes after too many wrong passwords; ask another supervisor":
        "%(name)s est bloqué pour %(minutes)d minutes après trop de mots de passe erronés ; "
        "demandez à un autre superviseur",
    "the name holds a character that cannot be printed": "le nom contient un caractère qui ne s'imprime pas",
    "the phone number holds a character that cannot be printed":
        "le numéro de téléphone contient un caractère qui ne s'imprime pas",
    "a ticket of this order has just been used at the door": "un billet de cette commande vient de servir à l'entrée",
    "Tickets still valid, by the day they were sold; refunds and exchanges show in the money on their own day.":
        "Billets encore valides, par jour de vente ; remboursements et échanges figurent dans l'argent de leur jour.",
    "Your basket holds one choice at a time: the places it held before (%(places)s) were released.":
        "Votre panier contient un seul choix à la fois : les places qu'il contenait (%(places)s) ont été libérées.",
    "Holding other places here releases them.": "Retenir d'autres places ici les libère.",
    "On sale online from %(when)s.": "En vente en ligne à partir du %(when)s.",
    "This performance is not on sale online.": "Cette représentation n'est pas en vente en ligne.", "Total difference": "Écart total", "Time": "Heure",
    "The promo code %(code)s discounted the tickets handed back; the new seats are at their full price.":
        "Le code promo %(code)s réduisait le prix des billets rendus ; les nouvelles places sont à plein tarif.", "Back to the page": "Retour à la page",
    "This form could not be sent: the page was open too long, or your browser refused our cookie. Go back, reload "
    "the page and try again.": "Ce formulaire n'a pas pu être envoyé : la page est restée ouverte trop longtemps, ou "
    "votre navigateur a refusé notre témoin. Revenez en arrière, rechargez la page et réessayez.", "in at %(time)s": "entré à %(time)s", "in": "entrés",
    "No ticket for this performance matches “%(q)s”.": "Aucun billet de cette représentation ne correspond à «\u00a0%(q)s\u00a0».",
    "No network: scan kept on this device, sent when the network is back.":
    "Pas de réseau : le scan est gardé sur cet appareil et sera envoyé au retour du réseau.",
    "Signed out: sign in again; the scan is kept on this device.":
    "Session fermée : reconnectez-vous\u00a0; le scan est gardé sur cet appareil.",
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
    "Organizer's office": "Bureau de l'organisateur", "Organizer": "Organisateur", "Counter clerk": "Guichetier",
    "Phone operator": "Téléphoniste", "Door staff": "Contrôle à l'entrée", "Password again": "Mot de passe (encore)",
    "The two passwords differ.": "Les deux mots de passe diffèrent.", "Roles": "Rôles", "Name": "Nom",
    "Set a new password": "Donner un nouveau mot de passe", "%(user)s has a new password.":
    "%(user)s a un nouveau mot de passe.", "New password for %(user)s": "Nouveau mot de passe pour %(user)s",
    "Disabled: %(n)d": "Désactivés : %(n)d", "Enabled: %(n)d": "Réactivés : %(n)d",
    "Disable (no more sign-in)": "Désactiver (plus de connexion)", "Enable": "Réactiver",
    "staff account": "compte du personnel", "staff accounts": "comptes du personnel", "New password": "Nouveau mot de passe",
    "Type a new password for %(user)s and give it to them; they sign in with it at once.":
    "Tapez un nouveau mot de passe pour %(user)s et donnez-le-lui\u00a0; il sert dès la prochaine connexion.",
    "Set the password": "Enregistrer le mot de passe",
    "only organizers manage staff accounts": "seuls les organisateurs gèrent les comptes du personnel",
    "you may not change this account": "vous ne pouvez pas modifier ce compte",
    "you may not grant the role %(role)s": "vous ne pouvez pas donner le rôle %(role)s",
    "give the account a role": "donnez un rôle au compte", "this username is taken": "ce nom d'utilisateur est pris",
    "time zone": "fuseau horaire", "Starts (venue time)": "Début (heure de la salle)",
    "The venue's clock, e.g. America/Toronto: its performances' times are shown and entered in it.":
    "L'heure de la salle, p. ex. America/Toronto : les heures de ses représentations sont affichées et saisies à cette heure.",
    "%(zone)s is not a time zone; give one like America/Toronto or Europe/Paris.":
    "%(zone)s n'est pas un fuseau horaire\u00a0; donnez-en un comme America/Toronto ou Europe/Paris.",
    "Times on the clock of the venue (%(zone)s)": "Heures de la salle (%(zone)s)",
    "Expected cash": "Espèces attendues", "Counted cash": "Espèces comptées", "Expected on cards": "Attendu par carte",
    "Counted on cards": "Compté par carte", "Difference": "Écart", "open": "ouvert", "Per method": "Par mode de paiement",
    "Method": "Mode", "Expected": "Attendu", "Counted": "Compté", "kind": "genre", "Payments": "Paiements",
    "Refunds": "Remboursements", "Order": "Commande", "Performance": "Représentation", "Channel": "Canal",
    "Taken by the listed payments: %(paid)s; paid back: %(refunded)s; net: %(net)s.":
    "Encaissé par les paiements listés : %(paid)s\u00a0; remboursé : %(refunded)s\u00a0; net : %(net)s.",
    "performance dashboard": "tableau de bord de représentation",
    "performance dashboards": "tableaux de bord des représentations", "Dashboard": "Tableau de bord",
    "Open": "Ouvrir", "Dashboard: %(p)s": "Tableau de bord : %(p)s", "Tickets sold that day": "Billets vendus ce jour-là",
    "Tickets sold so far": "Billets vendus à ce jour", "Net takings that day": "Recettes nettes du jour",
    "Net takings": "Recettes nettes", "Comps": "Billets de faveur", "Scanned in": "Entrés",
    "Sales over time": "Ventes au fil du temps", "Tickets sold and takings per day": "Billets vendus et recettes par jour",
    "Places by zone": "Places par zone", "Reserved": "Réservées", "Not on sale yet.": "Pas encore en vente.",
    "By channel": "Par canal", "Nothing sold yet.": "Rien de vendu pour le moment.",
    "By payment method": "Par mode de paiement", "No payment yet.": "Aucun paiement pour le moment.",
    "%(shown)s complimentary ticket (list price %(value)s).": ("%(shown)s billet de faveur (prix affiché %(value)s).",
                                                           "%(shown)s billets de faveur (prix affiché %(value)s)."),
    "By day": "Par jour", "Day": "Jour",
    "What": "Quoi", "Orders": "Commandes", "Tickets (attendees)": "Billets (participants)",
    "Payments and refunds": "Paiements et remboursements", "Format": "Format", "All performances": "Toutes les représentations",
    "From (day)": "Du (jour)", "To (day, included)": "Au (jour, inclus)", "Exports": "Exports",
    "Other exports (dates, every performance)…": "Autres exports (dates, toutes les représentations)…",
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
    "How many tickets?": "Combien de billets ?", "Full name": "Nom complet", "Email": "Courriel",
    "Phone (optional)": "Téléphone (facultatif)",
    "Those seats could not be held: %(reason)s": "Ces places n'ont pas pu être retenues : %(reason)s",
    "Your hold expired and the seats were released. Please choose again.":
    "Votre retenue a expiré et les places ont été libérées. Veuillez choisir à nouveau.",
    "Your seats were released.": "Vos places ont été libérées.", "Your basket is empty.": "Votre panier est vide.",
    "Payment declined: %(reason)s. Your seats are still held.":
    "Paiement refusé : %(reason)s. Vos places sont toujours retenues.",
    "No such order": "Commande introuvable", "This order has no valid tickets": "Cette commande n'a aucun billet valide",
    "Available": "Disponible", "Held": "Retenue", "Sold": "Vendue", "Blocked": "Bloquée", "Active": "Active",
    "Released": "Libérée", "Expired": "Expirée", "Awaiting payment": "En attente de paiement", "Paid": "Payée",
    "Failed": "Échouée", "Refunded": "Remboursée", "Cancelled": "Annulée", "Valid": "Valide", "Void": "Annulé",
    "Card (online)": "Carte (en ligne)", "Cash": "Espèces", "Card terminal": "Terminal de paiement",
    "Card by phone": "Carte par téléphone", "Approved": "Approuvé", "Declined": "Refusé",
    "Box office": "Billetterie", "Skip to content": "Aller au contenu", "Language": "Langue",
    "Your basket": "Votre panier", "Back to the seat map": "Retour au plan de salle",
    "See what is on sale": "Voir ce qui est en vente", "Seats held for": "Places retenues pendant",
    "Place": "Place", "Price": "Prix", "Total": "Total", "Release these seats": "Libérer ces places",
    "Checkout": "Paiement", "Pay %(total)s": "Payer %(total)s", "On sale": "En vente", "From %(price)s": "À partir de %(price)s",
    "Sold out": "Complet", "Few left": "Dernières places", "On sale %(when)s": "En vente le %(when)s",
    "Choose seats": "Choisir des places", "Nothing is on sale right now.": "Rien n'est en vente pour le moment.",
    "Order %(code)s": "Commande %(code)s",
    "Thank you! Your tickets are below; a confirmation was sent to %(email)s.":
    "Merci ! Vos billets sont ci-dessous ; une confirmation a été envoyée à %(email)s.",
    "Download the tickets (PDF)": "Télécharger les billets (PDF)",
    "Bookmark this page: it is your private link to these tickets, no account needed.":
    "Gardez cette page en favori : c'est votre lien privé vers ces billets, sans compte.",
    "QR code of the ticket": "Code QR du billet", "You have seats on hold: go to your basket":
    "Vous avez des places retenues : aller au panier", "Prices": "Prix", "%(shown)s left": ("%(shown)s restante", "%(shown)s restantes"),
    "Taken": "Prise", "Your choice": "Votre choix", "Best available": "Meilleures places disponibles",
    "Find seats": "Trouver des places", "standing": "debout", "Hold standing places": "Retenir des places debout",
    "Pick your seats": "Choisissez vos places",
    "Zoom": "Zoom", "Zoom out": "Dézoomer", "Zoom in": "Zoomer", "Seat map": "Plan de salle",
    "%(section)s, row %(row)s, seat %(number)s": "%(section)s, rangée %(row)s, siège %(number)s",
    "wheelchair space": "place pour fauteuil roulant", "restricted view": "visibilité réduite",
    "No seat selected": "Aucune place choisie", "Hold selected seats": "Retenir les places choisies",
    "{n} selected": "{n} choisies", "1 selected": "1 choisie", "You can choose at most {n} seats.": "Vous pouvez choisir au plus {n} places.",
    # Ballots
    "Ballot": "Tirage au sort", "Ballots open": "Tirages au sort ouverts", "Ballot: %(title)s": "Tirage au sort : %(title)s",
    "Apply": "S'inscrire",
    "Demand is far above the number of seats: apply now, and a random draw at the close decides.":
    "La demande dépasse de loin le nombre de places : inscrivez-vous maintenant, un tirage au sort décidera à la clôture.",
    "Demand is far above the number of seats: apply now, and a random draw at the close decides. "
    "Applying early gives no advantage.":
    "La demande dépasse de loin le nombre de places : inscrivez-vous maintenant, un tirage au sort décidera à la "
    "clôture. S'inscrire tôt ne donne aucun avantage.",
    "Pay for your ballot tickets": "Payer vos billets du tirage au sort",
    "Pay": "Payer", "See your tickets": "Voir vos billets",
    "Your payment is being processed; please wait a moment and reload.":
    "Votre paiement est en cours\u00a0; patientez un instant puis rechargez la page.",
    "Applied": "Inscrit", "Won, to pay": "Tiré au sort, à payer", "Not drawn": "Non tiré", "Lapsed": "Expiré",
    # The waiting room, the staff sign-in, and what the admin says of them.
    "Reserved, to pay": "Réservée, à payer",
    "The on-sale time: who arrives before is put in random order.":
    "L'heure de mise en vente : qui arrive avant est placé dans un ordre aléatoire.",
    "Visitors let into the shop per minute; change it live.":
    "Visiteurs admis dans la boutique par minute ; modifiable en direct.",
    "How long an admission pass is valid.": "Durée de validité d'un laissez-passer.",
    "Staff sign-in": "Connexion du personnel", "Wrong user name or password.":
    "Nom d'utilisateur ou mot de passe incorrect.", "User name": "Nom d'utilisateur", "Password": "Mot de passe",
    "Sign in": "Se connecter", "Sign out": "Se déconnecter", "Staff": "Personnel", "STAGE": "SCÈNE",
    "Waiting room": "Salle d'attente", "You are in the queue": "Vous êtes dans la file d'attente",
    "The sale has not started yet. When it opens, everyone who is here is put in a random order: there is no "
    "need to refresh.": "La vente n'a pas encore commencé. À l'ouverture, toutes les personnes présentes sont "
    "placées dans un ordre aléatoire : inutile de rafraîchir la page.",
    "%(shown)s person waiting.": ("%(shown)s personne en attente.", "%(shown)s personnes en attente."),
    "Sorry, this performance is sold out.": "Désolé, cette représentation est complète.",
    "You are in the presale queue": "Vous êtes dans la file d'attente de la prévente",
    "A presale is open": "Une prévente est ouverte",
    "Holders of an access code wait in the presale's own queue. Have one? Enter it:":
    "Les détenteurs d'un code d'accès attendent dans la file de la prévente. Vous en avez un ? Saisissez-le :",
    "Presale access code": "Code d'accès à la prévente", "Back to the queue": "Retour à la file d'attente",
    "%(shown)s person ahead of you": ("%(shown)s personne devant vous", "%(shown)s personnes devant vous"), "Estimated wait:": "Attente estimée :",
    "Progress": "Progression",
    "Keep this page open; you will be let in automatically.":
    "Gardez cette page ouverte ; vous serez admis automatiquement.",
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
    "La billetterie est brièvement indisponible\u00a0; veuillez réessayer dans un instant.",
    "Briefly unavailable": "Brièvement indisponible",
    "The request holds a value that cannot be stored.": "La requête contient une valeur qui ne peut être enregistrée.",
    "Back to the box office": "Retour à la billetterie",
    "Please try again in a moment": "Veuillez réessayer dans un instant",
    "The waiting room for this performance is unavailable for a moment. Nothing was bought or held: please try "
    "again shortly.": "La salle d'attente de cette représentation est indisponible pour un instant. Rien n'a été "
    "acheté ni retenu : veuillez réessayer sous peu.",
    "Try again": "Réessayer", "Check the form.": "Vérifiez le formulaire.",
    "Card amount": "Montant par carte",
    "Choose a section, then up to %(n)s seats: tap or click a seat, or Tab into the map, move with the arrow "
    "keys and pick with Enter or Space.": "Choisissez une section, puis jusqu'à %(n)s places : touchez ou cliquez "
    "une place, ou entrez dans le plan avec Tab, déplacez-vous avec les flèches et choisissez avec Entrée ou Espace.",
    "Sections": "Sections", "%(shown)s of %(total)s seat left": ("%(shown)s place libre sur %(total)s",
                                                               "%(shown)s places libres sur %(total)s"),
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
    "Il ne reste qu'une minute : payez maintenant, sinon vos places seront libérées.",
    "When": "Quand", "Doors open": "Ouverture des portes", "Where": "Où",
    "Your tickets for %(event)s — order %(code)s": "Vos billets pour %(event)s — commande %(code)s",
    "Hello %(name)s,": "Bonjour %(name)s,", "Thank you for your order %(code)s.": "Merci pour votre commande %(code)s.",
    "Your tickets:": "Vos billets :", "ticket code": "code du billet", "Total paid:": "Total payé :",
    "Your order, with your tickets to print or show at the door, is always here:":
    "Votre commande, avec vos billets à imprimer ou à présenter à l'entrée, est toujours ici :",
    "Keep this link private: anyone who has it can see your tickets.":
    "Gardez ce lien privé : quiconque l'a peut voir vos billets.",
    "Your reservation %(code)s for %(title)s (%(when)s)\nis held for you until %(until)s.":
    "Votre réservation %(code)s pour %(title)s (%(when)s)\nest retenue pour vous jusqu'au %(until)s.",
    "Total to pay: %(total)s. Call us or come to the box office to pay;\nafter the deadline the seats "
    "are released.": "Total à payer : %(total)s. Appelez-nous ou passez à la billetterie pour payer ;"
    "\naprès l'échéance, les places sont libérées.",
    "Tickets %(code)s": "Billets %(code)s", "Order %(code)s — %(name)s": "Commande %(code)s — %(name)s",
    "The payment provider did not answer": "Le fournisseur de paiement n'a pas répondu",
    "Your order %(code)s is paid.": "Votre commande %(code)s est payée.",
    "Open the dashboard": "Ouvrir le tableau de bord",
    "Choose at least one ticket.": "Choisissez au moins un billet.",
    "The number of tickets must be a whole number.": "Le nombre de billets doit être un nombre entier.",
    "See your order and tickets": "Voir votre commande et vos billets",
    "order %(code)s is %(status)s; only a paid order has a confirmation to send":
    "la commande %(code)s est %(status)s ; seule une commande payée a une confirmation à envoyer",
    "cash is taken at the counter, into the drawer of an open shift: open one first":
    "les espèces sont encaissées au guichet, dans le tiroir d'un quart ouvert : ouvrez-en un d'abord",
    "cash is paid back at the counter, from the drawer of an open shift":
    "les espèces sont remboursées au guichet, depuis le tiroir d'un quart ouvert",
    "order %(code)s is awaiting its buyer's payment; it is given up when that payment fails or its hold expires":
    "la commande %(code)s attend le paiement de son acheteur ; elle est abandonnée si ce paiement échoue ou si "
    "ses places ne sont plus retenues",
    # draws anyone can verify
    'There is no draw here.': "Il n'y a pas de tirage ici.",
    'This is not an entry reference: it has 12 letters and digits, such as 7K2M-Q9XD-4HWA.': "Ce n'est pas une référence de participation : elle compte 12 lettres et chiffres, p. ex. 7K2M-Q9XD-4HWA.",
    'The entries are not frozen yet.': "La liste des participations n'est pas encore figée.",
    'Checking in your browser…': 'Vérification dans votre navigateur…',
    'The revealed seed matches the commitment published before the draw.': "La graine révélée correspond à l'engagement publié avant le tirage.",
    'The revealed seed does NOT match its commitment.': 'La graine révélée NE correspond PAS à son engagement.',
    'The entry list matches the hash and count published when the entries froze ({count} entries).': 'La liste des participations correspond à l\'empreinte et au nombre publiés quand elle a été figée ({count} participations).',
    'The entry list does NOT match its published hash or count.': 'La liste des participations NE correspond PAS à son empreinte ou à son nombre publiés.',
    'Your browser ranks {reference} at {rank} of {count}.': 'Votre navigateur classe {reference} au rang {rank} sur {count}.',
    '{reference} is not in this entry list.': "{reference} n'est pas dans cette liste de participations.",
    'This is not an entry reference.': "Ce n'est pas une référence de participation.",
    'This browser cannot compute SHA-256 here (it needs a secure connection).': 'Ce navigateur ne peut pas calculer SHA-256 ici (il faut une connexion sécurisée).',
    "The draw's files could not be read.": 'Les fichiers du tirage sont illisibles.',
    'Your entry reference: %(reference)s. The draw, and how to check it: %(link)s': 'Votre référence de participation : %(reference)s. Le tirage, et comment le vérifier : %(link)s',
    'public value': 'valeur publique',
    'How the draw is made, and how anyone can check it': 'Comment le tirage est fait, et comment chacun peut le vérifier',
    'Drawn at rank %(rank)s.': 'Tiré au rang %(rank)s.',
    'Your entry reference:': 'Votre référence de participation :',
    'check the draw': 'vérifier le tirage',
    'The draw': 'Le tirage',
    'Ballot draw: %(title)s': 'Tirage au sort : %(title)s',
    'Opening draw of the queue: %(title)s': "Tirage d'ouverture de la file d'attente : %(title)s",
    'Applications are put in the order of this draw, and seats are offered in that order.': 'Les demandes sont classées dans l\'ordre de ce tirage, et les places sont offertes dans cet ordre.',
    'Everyone in the queue before the sale opened was put in the order of this draw; later arrivals queue after them in order of arrival.': "Toutes les personnes présentes dans la file avant l'ouverture de la vente ont été classées dans l'ordre de ce tirage ; les suivantes passent après elles, dans leur ordre d'arrivée.",
    'Anyone can check it: the box office committed to its secret seed before anyone entered, publishes the entry list without anything personal in it, and reveals the seed after the draw.': "Chacun peut le vérifier : la billetterie s'est engagée sur sa graine secrète avant toute participation, publie la liste des participations sans aucune donnée personnelle, et révèle la graine après le tirage.",
    'Commitment': 'Engagement',
    'Seed commitment (SHA-256 of the seed)': 'Engagement sur la graine (SHA-256 de la graine)',
    'published %(when)s': 'publié le %(when)s',
    'Public value mixed in': 'Valeur publique mêlée au tirage',
    'none': 'aucune',
    'Entries': 'Participations',
    'frozen %(when)s': 'liste figée le %(when)s',
    'not frozen yet': 'liste pas encore figée',
    'Entry list hash (SHA-256 of the list)': 'Empreinte de la liste des participations (SHA-256 de la liste)',
    'Result': 'Résultat',
    'Seed': 'Graine',
    'drawn %(when)s': 'tiré le %(when)s',
    'Not drawn yet: the seed is revealed after the draw.': 'Pas encore tiré : la graine est révélée après le tirage.',
    'Download the entry list': 'Télécharger la liste des participations',
    "The draw's data (JSON)": 'Les données du tirage (JSON)',
    'Entry reference': 'Référence de participation',
    'Find its rank': 'Trouver son rang',
    '%(reference)s was drawn at rank %(rank)s of %(count)s.': '%(reference)s a été tiré au rang %(rank)s sur %(count)s.',
    '%(reference)s is in the frozen entry list; its rank is known after the draw.': '%(reference)s est dans la liste figée des participations ; son rang sera connu après le tirage.',
    '%(reference)s is not in this draw.': "%(reference)s n'est pas dans ce tirage.",
    'Its hashed reference (SHA-256):': 'Sa référence hachée (SHA-256) :',
    'Check it in your browser': 'Le vérifier dans votre navigateur',
    'Your browser downloads the two files above and redoes the whole draw itself: it relies on nothing this page says.': 'Votre navigateur télécharge les deux fichiers ci-dessus et refait lui-même tout le tirage : il ne se fie à rien de ce que dit cette page.',
    'Entry reference to rank': 'Référence de participation à classer',
    'Check in this browser': 'Vérifier dans ce navigateur',
    'How the order is computed': "Comment l'ordre est calculé",
    'The seed is 32 random bytes, written as 64 hexadecimal characters. Its commitment is the SHA-256 of those 64 characters, published when the draw was set up.': "La graine est faite de 32 octets aléatoires, écrits en 64 caractères hexadécimaux. Son engagement est le SHA-256 de ces 64 caractères, publié à la création du tirage.",
    'Each entry appears only as its hashed reference: the SHA-256 of its 12-character entry reference (capitals and digits, without dashes), in lowercase hexadecimal.': "Chaque participation n'apparaît que par sa référence hachée : le SHA-256 de sa référence de 12 caractères (majuscules et chiffres, sans tirets), en hexadécimal minuscule.",
    'The entry list is the hashed references in ascending order, each followed by a line feed. Its hash is the SHA-256 of that file, published when the entries froze.': 'La liste des participations est faite des références hachées en ordre croissant, chacune suivie d\'un saut de ligne. Son empreinte est le SHA-256 de ce fichier, publiée quand la liste a été figée.',
    "The draw key is HMAC-SHA256 with the seed's 32 bytes as key and the public value (in UTF-8, empty if none) as message.": "La clé du tirage est HMAC-SHA256 avec les 32 octets de la graine pour clé et la valeur publique (en UTF-8, vide s'il n'y en a pas) pour message.",
    "Each entry's score is HMAC-SHA256 with the draw key as key and its hashed reference's 64 characters as message. Rank 1 is the lowest score.": 'Le score de chaque participation est HMAC-SHA256 avec la clé du tirage pour clé et les 64 caractères de sa référence hachée pour message. Le rang 1 est le plus petit score.',
    'Algorithm:': 'Algorithme :',
    "With the box office's source, the command manage.py verify_draw does the same from the two files.": 'Avec le code source de la billetterie, la commande manage.py verify_draw fait de même à partir des deux fichiers.',
    'You were drawn at place %(drawn_at)s in the opening draw.': "Vous avez été tiré à la place %(drawn_at)s au tirage d'ouverture.",
    'You are in the opening draw.': "Vous êtes dans le tirage d'ouverture.",
    'how the draw is made, and how to check it': 'comment le tirage est fait, et comment le vérifier',
    'not known yet: the draw waits for it': 'pas encore connue : le tirage l\'attend',
    'Its source, announced before the entries froze:': 'Sa source, annoncée avant que la liste des participations soit figée :',
    'source of the public value': 'source de la valeur publique',
    "Optional, before the entries freeze: where the public value will come from, e.g. “the national lottery's winning numbers of 5 December, in ascending order, separated by spaces”. A ballot then waits for the value before it is drawn.": "Facultatif, avant que la liste des participations soit figée : d'où viendra la valeur publique, p. ex. «\u00a0les numéros gagnants de la loterie nationale du 5 décembre, en ordre croissant, séparés par des espaces\u00a0». Un tirage au sort attend alors cette valeur.",
    'Optional: a value mixed into the draw. Once the entries are frozen, only the value of the source announced before, until the draw.': "Facultatif : une valeur mêlée au tirage. Une fois la liste des participations figée, seulement la valeur de la source annoncée avant, jusqu'au tirage.",
    # services' refusals, inventory reasons and payment declines
    "language": "langue",
    "The language the counter and the phone offer first for a buyer's emails, tickets and receipts.":
    "La langue que le comptoir et le téléphone proposent d'abord pour les courriels, billets et reçus d'un acheteur.",
    "Buyer's language": "Langue de l'acheteur", "Caller's language": "Langue de l'appelant",
    "Their tickets and receipt are printed in it.": "Ses billets et son reçu sont imprimés dans cette langue.",
    "%(performance)s is not sold through this channel": "%(performance)s n'est pas vendu par ce canal",
    "sales open on %(when)s": "la vente ouvre le %(when)s",
    "sales for this performance have closed": "la vente de cette représentation est fermée",
    "%(performance)s has not been put on sale yet": "%(performance)s n'a pas encore été mis en vente",
    "you may not sell through the channel %(channel)s": "vous ne pouvez pas vendre par le canal %(channel)s",
    "ask for named places, a price zone or a standing area (one of them)":
    "demandez des places précises, une zone de prix ou une zone debout (une seule de ces options)",
    "the same place is asked for twice": "la même place est demandée deux fois",
    "ask for at least one ticket": "demandez au moins un billet",
    "at most %(n)d tickets per order": "au plus %(n)d billets par commande",
    "that price zone belongs to another performance": "cette zone de prix appartient à une autre représentation",
    "that is not a standing area of this performance": "ce n'est pas une zone debout de cette représentation",
    "this presale code is not valid for this performance": "ce code de prévente n'est pas valide pour cette représentation",
    "presale codes are for the online sale": "les codes de prévente sont pour la vente en ligne",
    "the presale %(name)s is open from %(opens)s to %(closes)s": "la prévente %(name)s est ouverte du %(opens)s au %(closes)s",
    "this presale code has been used up": "ce code de prévente est épuisé",
    "the presale %(name)s opens %(zones)s only": "la prévente %(name)s n'ouvre que %(zones)s",
    "these places are order %(code)s (%(status)s): cancel or refund that order instead":
    "ces places sont la commande %(code)s (%(status)s) : annulez ou remboursez plutôt cette commande",
    "this hold is already %(status)s": "cette retenue est déjà : %(status)s",
    "you may not extend holds of this channel": "vous ne pouvez pas prolonger les retenues de ce canal",
    "the hold has lapsed; hold the seats again": "la retenue a expiré ; retenez de nouveau les places",
    "a hold of the channel %(channel)s lasts at most %(n)d minutes":
    "une retenue du canal %(channel)s dure au plus %(n)d minutes",
    "only %(n)d wheelchair space or companion seat left in %(zone)s": (
        "plus que %(n)d place pour fauteuil roulant ou accompagnateur dans la zone %(zone)s",
        "plus que %(n)d places pour fauteuil roulant ou accompagnateur dans la zone %(zone)s"),
    "your role does not refund orders; ask a supervisor":
        "votre rôle ne rembourse pas les commandes ; demandez à un superviseur",
    "a card terminal's payment is paid back at the counter, in an open shift":
        "un paiement par terminal se rembourse au guichet, dans un quart ouvert",
    "the card terminal is used at the counter, in an open shift: open one first":
        "le terminal de paiement s'utilise au guichet, dans un quart ouvert : ouvrez-en un d'abord",
    "only %(n)d place left in %(zone)s": ("plus que %(n)d place libre dans la zone %(zone)s", "plus que %(n)d places libres dans la zone %(zone)s"),
    "could not find %(quantity)d places together in %(zone)s (%(left)s left, at most %(together)d side by side); ask for fewer or pick the seats":
    ("impossible de trouver %(quantity)d place côte à côte dans la zone %(zone)s (%(left)s libres, au plus %(together)d côte à côte) ; demandez-en moins ou choisissez les places",
     "impossible de trouver %(quantity)d places côte à côte dans la zone %(zone)s (%(left)s libres, au plus %(together)d côte à côte) ; demandez-en moins ou choisissez les places"),
    "only %(n)d standing place left in %(area)s": ("plus que %(n)d place debout libre dans l'espace %(area)s", "plus que %(n)d places debout libres dans l'espace %(area)s"),
    "%(n)d of the requested places does not exist in this performance": (
        "%(n)d des places demandées n'existe pas dans cette représentation",
        "%(n)d des places demandées n'existent pas dans cette représentation"),
    "%(n)d place unavailable: %(reasons)s": ("%(n)d place indisponible : %(reasons)s", "%(n)d places indisponibles : %(reasons)s"),
    "the hold has no places": "la retenue n'a aucune place",
    "a place is priced twice": "une place a deux prix",
    "the order was cancelled while the payment was taken": "la commande a été annulée pendant le paiement",
    "some of the places do not exist in this performance": "certaines places n'existent pas dans cette représentation",
    # Said after one place or a list of them: words that agree with neither.
    "kept for the online channel": "pour la vente en ligne seulement", "kept for the counter channel": "pour le comptoir seulement",
    "kept for the phone channel": "pour le téléphone seulement", "held by another buyer": "dans le panier d’un autre acheteur",
    "already sold": "vente déjà faite", "not for sale": "pas en vente", "not in this state": "pas dans cet état",
    "hold lapsed": "retenue expirée", "just changed; try again": "vient de changer ; réessayez",
    "unknown place": "place inconnue",
    "%(performance)s is already on sale": "%(performance)s est déjà en vente", " and %(n)d more": " et %(n)d autres",
    "%(n)d place has no price zone: %(places)s": ("%(n)d place n'a pas de zone de prix : %(places)s", "%(n)d places n'ont pas de zone de prix : %(places)s"),
    "%(venue)s has no seats or standing places": "%(venue)s n'a ni places assises ni places debout",
    "applications for this ballot are closed": "les inscriptions à ce tirage sont fermées",
    "enter your name": "entrez votre nom", "enter a valid email address": "entrez une adresse courriel valide",
    "apply for 1 to %(max_per_application)s tickets": "demandez de 1 à %(max_per_application)s billets",
    "this ballot has already been drawn": "ce tirage a déjà eu lieu", "applications are still open": "les inscriptions sont encore ouvertes",
    "this allocation is %(status)s": "cette attribution est : %(status)s",
    "the payment deadline has passed; the seats went to the next in the draw":
    "l'échéance de paiement est passée ; les places sont allées aux suivants du tirage",
    "Sorry: your application was not drawn this time. If a winner does not pay, the seats go to the next applicants in the draw and we will write to you.":
    "Désolés : votre inscription n'a pas été tirée cette fois. Si un gagnant ne paie pas, les places vont aux inscrits suivants du tirage et nous vous écrirons.",
    "the payment provider did not answer": "le prestataire de paiement n'a pas répondu",
    "choose a payment method": "choisissez un mode de paiement",
    "only one part of a split payment can take the rest": "une seule partie d'un paiement partagé peut prendre le reste",
    "each part of a payment must be more than zero": "chaque partie d'un paiement doit être supérieure à zéro",
    "the parts add up to %(named)s, the total is %(total)s": "les parties font %(named)s, le total est %(total)s",
    "%(method)s is not a payment method of this channel": "%(method)s n'est pas un mode de paiement de ce canal",
    "your hold lapsed and the seats were taken by another buyer; the payment was refunded":
    "votre retenue a expiré et les places ont été prises par un autre acheteur ; le paiement a été remboursé",
    "your hold lapsed and the seats were taken by another buyer":
    "votre retenue a expiré et les places ont été prises par un autre acheteur",
    "the order's payments cannot cover a payback of %(amount)s": "les paiements de la commande ne couvrent pas un remboursement de %(amount)s",
    "enter the customer's name": "entrez le nom du client", "the phone number is too long": "le numéro de téléphone est trop long",
    "order %(code)s is %(status)s; only a paid order can be exchanged":
    "la commande %(code)s est : %(status)s ; seule une commande payée peut être échangée",
    "tick the tickets to exchange": "cochez les billets à échanger",
    "some of those are not valid tickets of this order": "certains ne sont pas des billets valides de cette commande",
    "a ticket to exchange has already been used at the door": "un billet à échanger a déjà servi à l'entrée",
    "this performance has already begun; its tickets cannot be exchanged":
    "cette représentation a déjà commencé ; ses billets ne peuvent pas être échangés",
    "the hold on the new seats lapsed; pick them again": "la retenue des nouvelles places a expiré ; choisissez-les de nouveau",
    "an exchange stays within the same event": "un échange reste dans le même événement",
    "to move to another performance, exchange every ticket of the order":
    "pour passer à une autre représentation, échangez tous les billets de la commande",
    "the hold has no places; pick the new seats again": "la retenue n'a aucune place ; choisissez de nouveau les places",
    "the new seats are priced in another currency": "les nouvelles places sont dans une autre devise",
    "the order changed meanwhile; look it up again": "la commande a changé entre-temps ; recherchez-la de nouveau",
    "a ticket to exchange has just been used at the door": "un billet à échanger vient de servir à l'entrée",
    "no such hold": "retenue introuvable",
    "this hold is %(status)s; hold the seats again": "cette retenue est : %(status)s ; retenez de nouveau les places",
    "these seats are already order %(code)s (%(status)s)": "ces places sont déjà la commande %(code)s (%(status)s)",
    "the hold has no places; hold the seats again": "la retenue n'a aucune place ; retenez de nouveau les places",
    "at most %(limit)d tickets per customer for this on-sale": "au plus %(limit)d billets par client pour cette mise en vente",
    "; you already have %(n)d": " ; vous en avez déjà %(n)d",
    "the code %(code)s has been used up": "le code %(code)s est épuisé",
    "these seats are already being paid for": "ces places sont déjà en cours de paiement",
    "the payment was interrupted before it completed; nothing was sold":
    "le paiement a été interrompu avant la fin ; rien n'a été vendu",
    "abandoned while being paid": "abandonnée pendant le paiement",
    "this idempotency key was used for another order": "cette clé d'idempotence a servi pour une autre commande",
    "; pay again with a new idempotency key": " ; payez de nouveau avec une nouvelle clé d'idempotence",
    "; pay again with a new idempotency key after holding the seats again":
    " ; payez de nouveau avec une nouvelle clé d'idempotence après avoir retenu de nouveau les places",
    "the held places are priced in different currencies": "les places retenues sont dans des devises différentes",
    "a price type is given for a place that is not in this hold": "un tarif est donné pour une place qui n'est pas dans cette retenue",
    "this performance has no price types": "cette représentation n'a pas de tarifs",
    "nothing is sold in %(zone_name)s yet": "rien n'est encore vendu dans la zone %(zone_name)s",
    "no such price type for this performance": "ce tarif n'existe pas pour cette représentation",
    "complimentary tickets are given by staff only": "les billets de faveur sont remis par le personnel seulement",
    "%(name)s is not sold in %(zone_name)s": "le tarif %(name)s n'est pas vendu dans la zone %(zone_name)s",
    "the presale does not sell %(name)s tickets": "la prévente ne vend pas de billets au tarif %(name)s",
    "at most %(order_limit)s %(name)s tickets per order": "au plus %(order_limit)s billets au tarif %(name)s par commande",
    "give the reason for the complimentary tickets": "donnez le motif des billets de faveur",
    "the code %(code)s does not apply to these tickets": "le code %(code)s ne s'applique pas à ces billets",
    "the code %(code)s does not exist": "le code %(code)s n'existe pas",
    "the code %(code)s is not valid yet": "le code %(code)s n'est pas encore valide",
    "the code %(code)s has expired": "le code %(code)s a expiré",
    "the code %(code)s is not valid for this channel": "le code %(code)s n'est pas valide pour ce canal",
    "the code %(code)s is not valid for this performance": "le code %(code)s n'est pas valide pour cette représentation",
    "order %(code)s is %(status)s; only a paid order can be refunded":
    "la commande %(code)s est : %(status)s ; seule une commande payée peut être remboursée",
    "a ticket of this order has already been used at the door": "un billet de cette commande a déjà servi à l'entrée",
    "order %(code)s is %(status)s; a paid order is refunded, not cancelled":
    "la commande %(code)s est : %(status)s ; une commande payée se rembourse, elle ne s'annule pas",
    "this channel cannot make reservations to pay later": "ce canal ne peut pas faire de réservations à payer plus tard",
    "the deadline must be within %(days)s days from now": "l'échéance doit tomber dans les %(days)s prochains jours",
    "the deadline must be before the performance": "l'échéance doit précéder la représentation",
    "some of the seats are no longer held; hold them again": "certaines places ne sont plus retenues ; retenez-les de nouveau",
    "staff only": "personnel seulement",
    "order %(code)s is %(status)s, not a reservation": "la commande %(code)s est : %(status)s, pas une réservation",
    "the reservation lapsed at its deadline; its seats were released": "la réservation a expiré à son échéance ; ses places ont été libérées",
    "your hold lapsed and the seats were sold to another buyer; the payment was refunded":
    "votre retenue a expiré et les places ont été vendues à un autre acheteur ; le paiement a été remboursé",
    "the payment was not confirmed with the bank in time": "le paiement n'a pas été confirmé auprès de la banque à temps",
    "no such payment": "paiement introuvable",
    "order %(code)s cannot become %(status)s from where it is": "la commande %(code)s ne peut pas passer à «\u00a0%(status)s\u00a0» depuis son état",
    "Your card was declined.": "Votre carte a été refusée.",
    "card declined: insufficient funds": "carte refusée : fonds insuffisants",
    "card declined by the issuer": "carte refusée par l'émetteur", "payment failed": "le paiement a échoué",
    "the bank asks the cardholder to confirm the payment": "la banque demande au titulaire de la carte de confirmer le paiement",
    "Your card has insufficient funds.": "Les fonds de votre carte sont insuffisants.",
    "Your card has expired.": "Votre carte est expirée.",
    "Your card's security code is incorrect.": "Le code de sécurité de votre carte est erroné.",
    "Your card number is incorrect.": "Le numéro de votre carte est erroné.",
    "An error occurred while processing your card. Try again in a little bit.":
    "Une erreur est survenue pendant le traitement de votre carte. Réessayez dans un instant.",
    "Your bank did not confirm the payment.": "Votre banque n'a pas confirmé le paiement.",
    "the test card is not accepted here": "la carte de test n'est pas acceptée ici",
    "enter a card number": "entrez un numéro de carte", "enter the amount tendered": "entrez le montant reçu",
    "enter the terminal's authorisation reference": "entrez la référence d'autorisation du terminal",
    "card payments are not set up (STRIPE_SECRET_KEY)": "les paiements par carte ne sont pas configurés (STRIPE_SECRET_KEY)",
    "enter the card in the card field": "entrez la carte dans le champ de carte",
    "card numbers are typed into the provider's field, not sent here":
    "les numéros de carte se tapent dans le champ du prestataire, ils ne sont pas envoyés ici",
    "only counter clerks open a cash drawer": "seuls les caissiers du comptoir ouvrent un tiroir-caisse",
    "enter the cash float (0 or more)": "entrez le fonds de caisse (0 ou plus)",
    "you already have an open shift": "vous avez déjà un quart ouvert",
    "only the clerk of a shift closes it": "seul le caissier d'un quart le ferme",
    "enter what you counted (0 or more)": "entrez ce que vous avez compté (0 ou plus)",
    "this shift is already closed": "ce quart est déjà fermé",
    "Counter customer": "Client au comptoir", "change due %(amount)s": "monnaie rendue %(amount)s",
    "refunded: %(reason)s": "remboursé : %(reason)s", "another part could not be taken": "une autre partie n'a pas pu être prise",
    "another part was declined": "une autre partie a été refusée",
    "the hold lapsed and the seats were sold to someone else": "la retenue a expiré et les places ont été vendues à quelqu'un d'autre",
    "the sale could not be completed": "la vente n'a pas pu être conclue",
    "exchange: difference paid back": "échange : différence remboursée",
    "the order had failed when the payment went through": "la commande avait échoué quand le paiement est passé",
    "approved": "approuvé", "cash": "espèces", "cash paid back": "espèces remboursées", "card terminal": "terminal de carte",
    "refund succeeded": "remboursement effectué", "refund pending": "remboursement en attente",
    "Companion seat": "Place d'accompagnateur",
    "placed": "passée", "reserved": "réservée", "paid": "payée", "failed": "échouée", "cancelled": "annulée",
    "refunded": "remboursée", "reservation lapsed": "réservation expirée", "payment refunded": "paiement remboursé",
    "exchanged": "échangée", "exchange approved": "échange approuvé", "refund approved": "remboursement approuvé",
    "printed": "imprimée", "reprinted": "réimprimée", "confirmation sent": "confirmation envoyée",
    "reminder sent": "rappel envoyé", "%(n)d ticket, %(total)s": ("%(n)d billet, %(total)s", "%(n)d billets, %(total)s"),
    "%(n)d ticket": ("%(n)d billet", "%(n)d billets"),
    "at the counter of %(clerk)s": "au guichet de %(clerk)s", "%(places)s; difference %(amount)s": "%(places)s ; différence %(amount)s",
    "the seating plan has errors; nothing was imported": "le plan de salle a des erreurs ; rien n'a été importé",
    "%(header)s is at most 100 characters": "%(header)s fait au plus 100 caractères",
    "without a login, %(header)s must be at least %(n)d characters (a random UUID, say)":
    "sans connexion, %(header)s doit faire au moins %(n)d caractères (un UUID aléatoire, par exemple)",
    "this Idempotency-Key was used with a different request": "cette Idempotency-Key a servi pour une autre requête",
    "a request with this Idempotency-Key is still in progress": "une requête avec cette Idempotency-Key est encore en cours",
    "no such %(field)s": "%(field)s introuvable", "no such performance": "représentation introuvable",
    "this on-sale is queued: join the waiting room at %(queue)s and send its pass as X-Queue-Pass":
    "cette mise en vente passe par une file : rejoignez la salle d'attente à %(queue)s et envoyez son laissez-passer dans X-Queue-Pass",
    "the body must be a JSON object": "le corps doit être un objet JSON",
    "the waiting room is unavailable for a moment; please try again shortly":
    "la salle d'attente est indisponible pour un instant ; veuillez réessayer sous peu",
    # the venue's clock in the admin, an event's settlement
    "Hold lapses": "Fin de la retenue", "Expires": "Expire", "Confirmation sent": "Confirmation envoyée",
    "Opens": "Ouverture", "Closes": "Fermeture", "Drawn": "Tirage fait", "Ticket sales": "Ventes de billets",
    "of which fees": "dont frais", "of which taxes": "dont taxes", "Fees per order": "Frais par commande",
    "Kept from refunds and exchanges": "Retenu sur remboursements et échanges", "Net": "Net",
    "Settlement: %(event)s": "Règlement : %(event)s", "Made": "Établi",
    "Payment method": "Mode de paiement", "Promoter": "Producteur",
    "Made %(when)s. Amounts as recorded at each sale, payment and refund.":
        "Établi le %(when)s. Montants tels qu'enregistrés à chaque vente, paiement et remboursement.",
    "Settlement of %(event)s, every performance:": "Règlement de toutes les représentations (%(event)s) :",
    "Paid on %(when)s": "Payé le %(when)s",
    "%(places)s: not in %(venue)s, where this performance plays.":
        "%(places)s : hors de la salle de cette représentation (%(venue)s).",
    "Paid orders": "Commandes payées", "Customers": "Clients", "Venue": "Salle",
    "Today's takings, by venue (since midnight on its clock)":
        "Recettes du jour, par salle (depuis minuit à son heure)",
    "Taxes collected": "Taxes perçues", "In the queue now": "En file maintenant",
    "Let in from the queue": "Entrés depuis la file", "Sold in the last minute": "Vendus dans la dernière minute",
    "Every performance of %(event)s": "Toutes les représentations : %(event)s",
    "Settlement of this event:": "Règlement de cet événement :",
    # card payments by phone and payment links
    "Type the caller's card into the card field.": "Saisissez la carte de l'appelant dans le champ de carte.",
    'Only a reservation is paid through a link.': 'Seule une réservation se paie par un lien.',
    'The payment link could not be emailed; send it again from the order.': "Le lien de paiement n'a pas pu être envoyé par courriel ; renvoyez-le depuis la commande.",
    'The payment link was emailed to %(email)s.': 'Le lien de paiement a été envoyé à %(email)s.',
    'Payment declined: %(reason)s. The seats are still held.': 'Paiement refusé : %(reason)s. Les places sont toujours retenues.',
    'The payment provider did not answer, so nothing was sold; if it took the money, it is paid back. The seats are still held: try again, or email a payment link.': "Le prestataire de paiement n'a pas répondu : rien n'a été vendu ; s'il a prélevé l'argent, il est remboursé. Les places sont toujours retenues : réessayez, ou envoyez un lien de paiement.",
    'The payment provider could not use this card: type it again.': "Le prestataire de paiement n'a pas pu utiliser cette carte : saisissez-la de nouveau.",
    "Type the card the caller reads out into the payment provider's field: it never reaches the box office.": "Saisissez la carte que l'appelant vous lit dans le champ du prestataire de paiement : elle ne parvient jamais à la billetterie.",
    'The payment provider did not answer, so nothing was sold; if it took the money, it is paid back. Your seats are still held: try again in a moment.': "Le prestataire de paiement n'a pas répondu : rien n'a été vendu ; s'il a prélevé l'argent, il est remboursé. Vos places sont toujours retenues : réessayez dans un instant.",
    'The payment provider could not use this card. Your seats are still held: enter the card again.': "Le prestataire de paiement n'a pas pu utiliser cette carte. Vos places sont toujours retenues : saisissez de nouveau la carte.",
    'The payment was not made: your bank did not confirm it. Your seats are still held until the deadline.': "Le paiement n'a pas été effectué : votre banque ne l'a pas confirmé. Vos places sont retenues jusqu'à l'échéance.",
    'A payment of this reservation is already under way (your bank may be asking you to confirm it). Wait a few minutes, then reload.': 'Un paiement de cette réservation est déjà en cours (votre banque vous demande peut-être de le confirmer). Attendez quelques minutes, puis rechargez la page.',
    'The payment deadline has passed; the seats were released.': "L'échéance de paiement est passée ; les places ont été libérées.",
    'Pay for your reservation %(code)s': 'Payez votre réservation %(code)s',
    'Email the payment link': 'Envoyer le lien de paiement par courriel',
    'Reserve and email a payment link': 'Réserver et envoyer un lien de paiement',
    'A reservation keeps these prices: it is paid later at the total above, by phone, at the counter, or by the caller through the link.': "Une réservation garde ces prix : elle se paie plus tard au total ci-dessus, par téléphone, au comptoir, ou par l'appelant grâce au lien.",
    'Total to pay: %(total)s. Pay by card here:': 'Total à payer : %(total)s. Payez par carte ici :',
    'Your tickets are emailed to you once it is paid. After the deadline the seats are released.': "Vos billets vous sont envoyés par courriel une fois le paiement fait. Après l'échéance, les places sont libérées.",
    'Or pay by card here:': 'Ou payez par carte ici :',
    'Pay for this reservation': 'Payer cette réservation',
    'The payment provider did not answer; please wait a moment and reload.': "Le prestataire de paiement n'a pas répondu ; patientez un instant, puis rechargez la page.",
    'Your seats are held until %(until)s. After that they are released.': 'Vos places sont retenues jusqu\'au %(until)s. Ensuite, elles sont libérées.',
    # automatic admission
    'Automatic: %(rate)s a minute to start with (bounds %(min)s to %(max)s); it adjusts once the on-sale opens.': "Automatique : %(rate)s par minute pour commencer (bornes %(min)s à %(max)s) ; le débit s'ajuste dès l'ouverture de la vente.",
    'raised to': 'relevé à',
    'lowered to': 'abaissé à',
    'kept at': 'maintenu à',
    'holds not counted lately': 'retenues non comptées récemment',
    '%(holds)s active holds (target %(target)s)': '%(holds)s retenues actives (cible %(target)s)',
    'buyers met errors': 'des acheteurs ont reçu des erreurs',
    "buyers' requests are slower than the target": 'les requêtes des acheteurs sont plus lentes que la cible',
    'more active holds than the target': 'plus de retenues actives que la cible',
    'buyers are served fast': 'les acheteurs sont servis rapidement',
    'no buyer traffic': "aucun trafic d'acheteurs",
    'latency between half the target and the target': 'latence entre la moitié de la cible et la cible',
    'waiting a few seconds after lowering': 'quelques secondes de pause après une baisse',
    'at its bound': 'à sa borne',
    'starting rate': 'débit de départ',
    'Automatic: %(verdict)s %(rate)s a minute at %(time)s (bounds %(min)s to %(max)s): %(cause)s. Last %(window)s s: %(requests)s buyer requests, %(errors)s errors, p99 %(p99)s ms (target %(target)s ms); %(holds)s.': 'Automatique : %(verdict)s %(rate)s par minute à %(time)s (bornes %(min)s à %(max)s) : %(cause)s. %(window)s dernières s : %(requests)s requêtes d\'acheteurs, %(errors)s erreurs, p99 %(p99)s ms (cible %(target)s ms) ; %(holds)s.',
    'automatic admission': 'admission automatique',
    "Let the box office raise and lower the admission rate from buyers' response times, errors and active holds, within the bounds below, starting from the rate above.": "La billetterie relève et abaisse le débit d'admission selon les temps de réponse des acheteurs, les erreurs et les retenues actives, entre les bornes ci-dessous, en partant du débit ci-dessus.",
    'lowest rate per minute': 'débit minimal par minute',
    'Automatic admission never goes below this many visitors per minute.': "L'admission automatique ne descend jamais sous ce nombre de visiteurs par minute.",
    'highest rate per minute': 'débit maximal par minute',
    'Automatic admission never goes above this many visitors per minute.': "L'admission automatique ne dépasse jamais ce nombre de visiteurs par minute.",
    'active holds aimed at': 'retenues actives visées',
    'Automatic admission slows down while more online holds than this are active (buyers choosing or paying); empty: no limit.': "L'admission automatique ralentit tant que plus de retenues en ligne que ce nombre sont actives (acheteurs qui choisissent ou paient) ; vide : aucune limite.",
    'Automatic admission needs both bounds, of at least 1 a minute.': "L'admission automatique demande les deux bornes, d'au moins 1 par minute.",
    'The upper bound is below the lower one.': 'La borne supérieure est sous la borne inférieure.',
    # names of the apps, tables, fields and admin actions
    'venue': 'salle',
    'venues': 'salles',
    'section': 'section',
    'sections': 'sections',
    'seat': 'siège',
    'seats': 'sièges',
    'event': 'événement',
    'events': 'événements',
    'performance': 'représentation',
    'performances': 'représentations',
    'on-sale window': 'période de vente',
    'on-sale windows': 'périodes de vente',
    'price zone': 'zone de prix',
    'price zones': 'zones de prix',
    'price type': 'tarif',
    'price types': 'tarifs',
    'price': 'prix',
    'prices': 'prix',
    'hold': 'retenue',
    'holds': 'retenues',
    'place': 'place',
    'places': 'places',
    'customer': 'client',
    'customers': 'clients',
    'order': 'commande',
    'orders': 'commandes',
    'ticket': 'billet',
    'payments': 'paiements',
    'place event': 'événement de place',
    'place events': 'événements de place',
    'order event': 'événement de commande',
    'order events': 'événements de commande',
    'idempotency record': "enregistrement d'idempotence",
    'idempotency records': "enregistrements d'idempotence",
    'customer note': 'note sur un client',
    'customer notes': 'notes sur les clients',
    'shift': 'quart de travail',
    'shifts': 'quarts de travail',
    'waiting room': "salle d'attente",
    'waiting rooms': "salles d'attente",
    'ballot': 'tirage au sort',
    'ballots': 'tirages au sort',
    'ballot entry': 'participation au tirage',
    'ballot entries': 'participations au tirage',
    'draw': 'tirage vérifiable',
    'draws': 'tirages vérifiables',
    'organizers': 'organisateurs',
    'tax rate': 'taxe',
    'tax rates': 'taxes',
    'fee rule': 'règle de frais',
    'fee rules': 'règles de frais',
    'promo code': 'code promo',
    'promo codes': 'codes promo',
    'presale': 'prévente',
    'presales': 'préventes',
    'presale code': 'code de prévente',
    'presale codes': 'codes de prévente',
    'Sales': 'Ventes',
    'Venues and events': 'Salles et événements',
    'capacity': 'capacité',
    'title': 'titre',
    'starts at': 'début',
    'ticket limit': 'limite de billets',
    'currency': 'devise',
    'colour': 'couleur',
    'zone': 'zone',
    'email': 'courriel',
    'phone': 'téléphone',
    'notes': 'notes',
    'created at': 'créé le',
    'status': 'statut',
    'failure reason': "motif de l'échec",
    'total': 'total',
    'paid at': 'payée le',
    'payment deadline': 'date limite de paiement',
    'reason for the complimentary tickets': 'motif des billets de faveur',
    'method': 'mode',
    'reference': 'référence',
    'tendered': 'montant remis',
    'clerk': 'caissier',
    'opened at': 'ouvert le',
    'closed at': 'fermé le',
    'cash float': 'fonds de caisse',
    'difference': 'écart',
    'enabled': 'activée',
    'admitted per minute': 'admis par minute',
    'pass minutes': 'minutes du laissez-passer',
    'tickets per customer': 'billets par client',
    'most tickets per application': 'billets au plus par inscription',
    'hours to pay': 'heures pour payer',
    'drawn at': 'tiré le',
    'active': 'actif',
    'zones': 'zones',
    'Put on sale (create the inventory)': "Mettre en vente (créer l'inventaire)",
    'Sold by channel': 'Vendu par canal',
    'Block (take off sale)': 'Bloquer (retirer de la vente)',
    'Unblock (put back on sale)': 'Débloquer (remettre en vente)',
    'Allocate to a channel…': 'Attribuer à un canal…',
    'Opening draw': "Tirage d'ouverture",
    'In queue': 'Dans la file',
    'Tickets sold': 'Billets vendus',
    'Now': 'Maintenant',
    'Draw of': 'Tirage de',
    'Draw': 'Tirage',
    'Draw now (the window must be closed)': 'Tirer maintenant (la période doit être close)',
    'sales tax': 'taxe de vente',
    'booking fee': 'frais de service',
    'booking fees (per channel; complimentary tickets pay none)': "frais de service (par canal ; les billets de faveur n'en paient pas)",
    'Uses': 'Utilisations',
    'How many codes': 'Combien de codes',
    'Codes': 'Codes',
    'Orders with a code': 'Commandes avec un code',
    'Generate single-use codes…': 'Générer des codes à usage unique…',
    'Export the codes as CSV': 'Exporter les codes en CSV',
    'Prices per zone': 'Prix par zone',
    'Zones without a price': 'Zones sans prix',
    'Every channel': 'Tous les canaux',
    'Save, then set its prices': 'Enregistrez, puis fixez ses prix',
    'Admitted from the queue': 'Admis depuis la file',
    "You are at the front of the queue.": "Vous êtes en tête de la file.",
    "Nothing free": "Plus rien de libre",
    "Paused: every place left is in a basket": "En pause : toutes les places restantes sont dans des paniers",
    "In the queue: %(queued)s; admitted: %(admitted)s; passes issued: %(passes)s; tickets sold: %(sold)s; "
    "admitting %(rate)s a minute":
        "Dans la file : %(queued)s ; admis : %(admitted)s ; laissez-passer émis : %(passes)s ; billets vendus : "
        "%(sold)s ; admission de %(rate)s par minute",
    "nothing is free to buy: the queue stands until places come back":
        "rien n'est libre à l'achat : la file attend que des places reviennent",
    "Every place is in a basket: some may come back": "Toutes les places sont dans des paniers : certaines peuvent revenir",
    "Every place left is in another buyer's basket right now, so the queue has stopped.":
        "Toutes les places restantes sont en ce moment dans le panier d'autres acheteurs : la file est arrêtée.",
    "Places not paid for go back on sale within about %(n)s minute, and the queue moves on: you keep your place.": (
        "Les places non payées seront remises en vente d'ici environ %(n)s minute, et la file avancera de nouveau :"
        " vous gardez votre place.",
        "Les places non payées seront remises en vente d'ici environ %(n)s minutes, et la file avancera de nouveau :"
        " vous gardez votre place."),
    # finding a performance at the counter and on the phone
    "find a performance": "trouver une représentation",
    "Find a performance": "Trouver une représentation",
    "Show, venue or day (24/12)": "Spectacle, salle ou jour (24/12)",
    "Every performance": "Toutes les représentations",
    "More performances": "Autres représentations",
    "Sooner": "Plus tôt",
    "Later": "Plus tard",
    "Page %(page)s": "Page %(page)s",
    "No performance on sale at the counter matches “%(find)s”.":
        "Aucune représentation en vente au guichet ne correspond à «\u00a0%(find)s\u00a0».",
    "No later performance is on sale at the counter.": "Aucune représentation plus tardive n'est en vente au guichet.",
    "No performance on sale by phone matches “%(find)s”.":
        "Aucune représentation en vente par téléphone ne correspond à «\u00a0%(find)s\u00a0».",
    "No later performance is on sale by phone.": "Aucune représentation plus tardive n'est en vente par téléphone.",
    "No performance to come matches “%(find)s”.": "Aucune représentation à venir ne correspond à «\u00a0%(find)s\u00a0».",
    "No later performance.": "Aucune représentation plus tardive.",
    # Field names, as the admin's columns and forms show them.
    "row": "rangée", "number": "numéro", "row index": "ordre de la rangée", "position": "position", "x": "x", "y": "y",
    "wheelchair": "fauteuil roulant", "companion": "accompagnateur", "user": "utilisateur",
    "owner key": "clé du détenteur", "token": "jeton", "expires at": "expire le", "standing index": "numéro debout",
    "centre offset": "écart au centre", "accessible": "accessible", "state": "état",
    "hold expires at": "fin de la retenue", "allocation": "contingent", "updated at": "modifié le",
    "access token": "jeton d'accès", "idempotency key": "clé d'idempotence",
    "confirmation sent at": "confirmation envoyée le", "confirmation claimed at": "confirmation prise en charge le",
    "confirmation number": "numéro de confirmation", "payment started at": "paiement commencé le",
    "reminder sent at": "rappel envoyé le", "receipt": "reçu", "payment intent": "intention de paiement",
    "price zone name": "nom de la zone de prix", "price type name": "nom du tarif", "list price": "prix affiché",
    "tax": "taxes", "fee refundable": "frais remboursables", "checked in at": "entré le",
    "checked in door": "porte d'entrée", "checked in by": "entrée validée par", "check in scan": "lecture à l'entrée",
    "printed count": "nombre d'impressions", "message": "message", "card fingerprint": "empreinte de la carte",
    "refund of": "remboursement de", "action": "action", "from state": "état avant", "to state": "état après",
    "actor": "auteur", "at": "le", "detail": "détail", "scope": "portée", "endpoint": "point d'accès", "key": "clé",
    "fingerprint": "empreinte", "status code": "code de statut", "response": "réponse", "text": "texte",
    "author": "auteur", "expected": "attendu", "counted": "compté", "quantity": "quantité",
    "pay token": "jeton de paiement", "seed": "graine", "seed commitment": "engagement sur la graine",
    "committed at": "engagé le", "entry count": "nombre d'inscriptions", "entries hash": "empreinte des inscriptions",
    "frozen at": "figé le", "entries": "inscriptions", "ranked": "classement",
}

# Words whose French depends on what they say ({% translate "…" context "…" %}, pgettext).
IN_CONTEXT = {
    ("section", "kind"): "type",  # seated or standing (« genre » is a kind of payment's)
    # Counts of places (feminine, plural) on the dashboard.
    ("places", "Sold"): "Vendues", ("places", "Held"): "Retenues", ("places", "Reserved"): "Réservées",
    ("places", "Available"): "Disponibles", ("places", "Blocked"): "Bloquées",
    ("money", "Taken"): "Encaissé",  # money taken in, not a seat taken ("Prise")
    ("money", "Refunded"): "Remboursé",
    ("money", "Paid"): "Payé",  # an amount paid, not a paid order ("Payée")
    ("customer", "Created"): "Créé",  # un client, not an order ("Créée")
    ("ticket", "Refunded"): "Remboursé",  # un billet remboursé
    ("ticket", "Exchanged"): "Échangé",  # un billet échangé contre une autre place
    ("performance", "Cancelled"): "Annulée",
    ("performance", "Put on sale"): "Mettre en vente",
    ("ordering", "rank"): "ordre",  # of sections, price types, taxes: a "rang" is a row of seats
    ("key", "Enter"): "Entrée", ("key", "Esc"): "Échap",  # as French keyboards name them
    # A list's filter of the clerks' shifts (un quart de travail: masculine, plural).
    ("shifts", "Open"): "Ouverts", ("shifts", "Closed"): "Fermés",
    ("shifts", "Closed with a difference"): "Fermés avec un écart",
}

# French sets : ; ! ? apart from the word before them with a space that does not break, so
# that a line never starts with the sign; the table may be typed with ordinary spaces.
APART = re.compile(r" ([:;!?])(?=\s|$|<|\))")
# An elision's apostrophe is French's curly one, as in Django's own French (the admin's
# words): the table may be typed with straight ones.
ELISION = re.compile(r"(?<=\w)'(?=[\w%])")


def typeset(text: str) -> str:
    return ELISION.sub("\u2019", APART.sub("\u00a0\\1", text))


# The admin scripts' words (djangojs), as Django's French says them but for the apostrophe.
FR_JS = {
    "Today": "Aujourd'hui",
    "You have selected an action, but you haven’t saved your changes to individual fields yet. Please click OK to save. You’ll need to re-run the action.":
        "Vous avez sélectionné une action, mais vous n'avez pas encore enregistré certains champs modifiés. Cliquez sur OK pour enregistrer. Vous devrez réappliquer l'action.",
    "You have selected an action, and you haven’t made any changes on individual fields. You’re probably looking for the Go button rather than the Save button.":
        "Vous avez sélectionné une action, et vous n'avez fait aucune modification sur des champs. Vous cherchez probablement le bouton Envoyer et non le bouton Enregistrer.",
    "Note: You are %s hour ahead of server time.": (
        "Note : l'heure du serveur précède votre heure de %s heure.",
        "Note : l'heure du serveur précède votre heure de %s heures."),
    "Note: You are %s hour behind server time.": (
        "Note : votre heure précède l'heure du serveur de %s heure.",
        "Note : votre heure précède l'heure du serveur de %s heures."),
}


def fill(path: Path, table: dict, in_context: dict) -> list[str]:
    """Fill the catalogue at `path` from `table` (and `in_context`), compile it, and
    return the strings it has no French for."""
    po = polib.pofile(str(path))
    po.metadata["Language"] = "fr"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    missing = []
    for entry in po:
        if entry.msgctxt:
            if (entry.msgctxt, entry.msgid) in in_context:
                entry.msgstr = typeset(in_context[entry.msgctxt, entry.msgid])
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
            else:
                missing.append(f"{entry.msgctxt}: {entry.msgid}")
        elif entry.msgid in table:
            if entry.msgid_plural:  # (singular, plural), or one text for both
                one, many = table[entry.msgid] if isinstance(table[entry.msgid], tuple) else (table[entry.msgid],) * 2
                entry.msgstr_plural = {0: typeset(one), 1: typeset(many)}
            else:
                entry.msgstr = typeset(table[entry.msgid])
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
        else:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(path.with_suffix(".mo")))
    print(f"{path.name}: {len(po) - len(missing)} translated")
    return missing


catalogues = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"
missing = fill(catalogues / "django.po", FR, IN_CONTEXT)
if (catalogues / "djangojs.po").exists():
    missing += fill(catalogues / "djangojs.po", FR_JS, {})
print(f"missing: {missing}")
