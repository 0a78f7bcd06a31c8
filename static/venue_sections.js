'use strict';
// A new performance's price zones price the sections of the venue chosen in its form. Each
// zone's list of sections to choose from (the admin's two-box picker, whose choices live in
// SelectBox.cache) offers only that venue's once one is chosen, every venue's before: the
// list's data-section-venues gives each section's venue. The others are kept aside, to come
// back when another venue is chosen. A section of another venue already chosen stays
// chosen, and saving refuses it saying why. (A saved performance's page lists its own
// venue's sections alone, and has no data-section-venues.)
{
  const venue = document.getElementById('id_venue');
  const aside = {};  // each list's sections of other venues: {list's id: [choices]}
  const follow = () => {
    if (!venue || !window.SelectBox) {
      return;
    }
    for (const list of document.querySelectorAll('select[data-section-venues][id$="_from"]')) {
      const id = list.id;
      if (!SelectBox.cache[id]) {
        continue;
      }
      const venues = JSON.parse(list.dataset.sectionVenues);
      const here = (choice) => !venue.value || String(venues[choice.value]) === venue.value;
      const every = SelectBox.cache[id].concat(aside[id] || []);
      SelectBox.cache[id] = every.filter(here);
      aside[id] = every.filter((choice) => !here(choice));
      SelectBox.sort(id);
      const field = id.slice(0, -'_from'.length);
      const typed = document.getElementById(`${field}_input`);
      SelectBox.filter(id, typed ? typed.value : '');
      if (window.SelectFilter) {
        SelectFilter.refresh_icons(field);
      }
    }
  };
  if (venue) {
    // The popup that adds a venue tells the chooser through jQuery's change.
    const $ = window.django && window.django.jQuery;
    if ($) {
      $(venue).on('change', follow);
    } else {
      venue.addEventListener('change', follow);
    }
    // The pickers are drawn once the page has loaded, and for each zone added to it.
    window.addEventListener('load', follow);
    document.addEventListener('formset:added', follow);
  }
}
