'use strict';
// The seat map tells a performance's price zones apart by colour alone. A zone added with
// "Add another" starts with the first colour of the list (its colour box's
// data-zone-colours, ZONE_COLOURS) that no zone on the page shows yet, as saving gives one
// left as it came (PriceZoneFormSet._colour_new_zones): the page shows it before saving,
// and saving keeps it. The blank rows drawn with the page come with theirs.
document.addEventListener('formset:added', (event) => {
  if (event.detail.formsetName !== 'price_zones') {
    return;
  }
  const box = event.target.querySelector('input[name$="-color"][data-zone-colours]');
  if (!box) {
    return;
  }
  const shown = new Set([...document.querySelectorAll('#price_zones-group input[name$="-color"]')]
    .filter((other) => other !== box && !other.name.includes('__prefix__'))
    .map((other) => other.value.trim().toLowerCase()));
  const colour = JSON.parse(box.dataset.zoneColours).find((c) => !shown.has(c));
  if (colour) {
    box.value = colour;
  }
});
