'use strict';
// A performance's form: its times are on the clock of the venue chosen in it. The admin's
// "Now" and "Today" read the page's UTC offset (data-admin-utc-offset) each time they are
// used: it becomes the chosen venue's (its option says it), and the note under the times
// names the venue's time zone. With no venue chosen, the page's own offset, and the note
// asks for one.
{
  const venue = document.getElementById('id_venue');
  if (venue) {
    const pageOffset = document.body.dataset.adminUtcOffset;
    const follow = () => {
      const option = venue.selectedOptions[0];
      const zone = option ? option.dataset.timeZone : '';
      if (zone) {
        document.body.dataset.adminUtcOffset = option.dataset.utcOffset;
      } else if (pageOffset !== undefined) {
        document.body.dataset.adminUtcOffset = pageOffset;
      }
      for (const note of document.querySelectorAll('[data-venue-clock]')) {
        note.hidden = !zone;
      }
      for (const note of document.querySelectorAll('[data-venue-clock-none]')) {
        note.hidden = Boolean(zone);
      }
      for (const name of document.querySelectorAll('[data-venue-zone]')) {
        name.textContent = zone || '';
      }
    };
    venue.addEventListener('change', follow);
    follow();
  }
}
