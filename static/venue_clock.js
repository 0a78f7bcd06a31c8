'use strict';
// A performance's form: its times are on the clock of the venue chosen in it. The admin's
// "Now" and "Today" read the page's UTC offset (data-admin-utc-offset) each time they are
// used: it becomes the chosen venue's (its option says it), and the note under the times
// names the venue's time zone. With no venue chosen, the page's own offset, and the note
// asks for one. A venue the admin's popup adds (or changes) comes without its clock: it is
// asked of the venue's clock address (data-clock-url) before it is followed. A performance
// saved moved to a venue on another clock is warned its times will be read on that clock.
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
      // A performance's own venue (its zone, given) changed for one on another clock.
      for (const warning of document.querySelectorAll('[data-venue-clock-moved]')) {
        warning.hidden = !zone || zone === warning.dataset.venueClockMoved;
      }
      for (const name of document.querySelectorAll('[data-venue-zone]')) {
        name.textContent = zone || '';
      }
    };
    const ask = async (fresh) => {
      const option = venue.selectedOptions[0];
      const url = venue.dataset.clockUrl;
      if (option && /^\d+$/.test(option.value) && url && (fresh || !option.dataset.timeZone)) {
        try {
          const response = await fetch(url.replace('/0/', `/${option.value}/`),
                                       {headers: {Accept: 'application/json'}});
          if (response.ok) {
            const clock = await response.json();
            option.dataset.timeZone = clock.time_zone;
            option.dataset.utcOffset = clock.utc_offset;
          }
        } catch (error) {
          // Not reached: the page's own clock and the note asking for a venue stay.
        }
      }
      follow();
    };
    // The popup tells the chooser through jQuery's change, which a native listener does not
    // hear; a venue changed there may have a new clock, asked again.
    const $ = window.django && window.django.jQuery;
    if ($) {
      $(venue).on('change', (event) => ask(Boolean(event.isTrigger)));
    } else {
      venue.addEventListener('change', () => ask(false));
    }
    follow();
  }
}
