'use strict';
// The waiting room's page. The opening is written on the venue's clock, which the page
// names; a visitor whose own clock differs is told the time on theirs as well
// ([data-your-time]: the moment, the venue's time zone, the sentence with its {time}).
{
  const language = document.documentElement.lang || undefined;
  const style = {weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit'};
  // French typography writes the clock "20 h 05", and a whole hour "20 h" (as the page's own
  // times: events.models.when), not Intl's "20:05": the hour without its zero, "h" between
  // no-break spaces.
  const french = /^fr\b/.test(language || '');
  const written = (format, at) => format.formatToParts(at).map((part, i, parts) => {
    if (french && part.type === 'hour') return String(Number(part.value));
    if (french && part.type === 'literal' && parts[i - 1]?.type === 'hour' && parts[i + 1]?.type === 'minute') {
      return parts[i + 1].value === '00' ? '\u00a0h' : '\u00a0h\u00a0';
    }
    if (french && part.type === 'minute' && part.value === '00' && parts[i - 2]?.type === 'hour') return '';
    return part.value;
  }).join('');
  for (const mark of document.querySelectorAll('[data-your-time]')) {
    const at = new Date(Number(mark.dataset.at));
    let there;
    try {
      there = written(new Intl.DateTimeFormat(language, {...style, timeZone: mark.dataset.zone}), at);
    } catch (error) {
      continue;  // a zone this browser does not know: the venue's clock alone, as without JavaScript
    }
    const here = written(new Intl.DateTimeFormat(language, style), at);
    if (!Number.isNaN(at.getTime()) && here !== there) {
      mark.textContent = mark.dataset.text.replace('{time}', here);
      mark.hidden = false;
    }
  }
}
// The network lost (a phone between cells): said at once, and when it is back the page
// asks at once instead of at its next poll (up to 30 s far back); a page back in view
// from a background tab, whose timers the browser slowed, asks at once too.
{
  const notice = document.getElementById('queue-offline');
  const now = () => {
    const status = document.getElementById('queue-status');
    if (status && window.htmx) {
      window.htmx.trigger(status, 'queue:now');
    }
  };
  const lost = () => {
    if (notice) {
      notice.textContent = notice.dataset.text;
      notice.hidden = false;
    }
  };
  window.addEventListener('offline', lost);
  window.addEventListener('online', now);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      now();
    }
  });
  document.body.addEventListener('htmx:sendError', lost);
  document.body.addEventListener('htmx:afterRequest', (event) => {
    if (notice && event.detail.successful) {
      notice.hidden = true;
      notice.textContent = '';
    }
  });
}
// What a screen reader hears. The status card is replaced at every poll (every second
// just before the opening, every 3 s near the front), so it is no live region: the polite
// region #queue-heard, which stays, is told the card's [data-heard] sentences when the
// state changes (opened, admission stopped, paused, sold out), and the position at most
// once a minute.
{
  const region = document.getElementById('queue-heard');
  const read = () => {
    const status = document.getElementById('queue-status');
    if (!status) {
      return null;
    }
    const text = Array.from(status.querySelectorAll('[data-heard]'),
                            (part) => part.textContent.replace(/\s+/g, ' ').trim()).join(' ');
    return {state: status.dataset.state, text};
  };
  let said = read();
  let saidAt = Date.now();
  document.body.addEventListener('htmx:afterSettle', () => {
    const now = read();
    if (!region || !now || !said || now.text === said.text) {
      return;
    }
    if (now.state !== said.state || Date.now() - saidAt >= 60000) {
      region.textContent = now.text;
      said = now;
      saidAt = Date.now();
    }
  });
}
// The tab's title: how many are ahead, kept as the card changes, for a visitor who waits
// with the page in a background tab ("(1,234) Waiting room — <performance>"). The card
// brings its words ([data-tab]); the performance's name stays from the page's own title.
{
  const title = document.querySelector('title');
  const show = title && title.dataset.event ? ' \u2014 ' + title.dataset.event : '';
  document.body.addEventListener('htmx:afterSettle', () => {
    const status = document.getElementById('queue-status');
    if (status && status.dataset.tab) {
      document.title = status.dataset.tab + show;
    }
  });
}
