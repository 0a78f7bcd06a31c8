// Redoes a draw in the browser from its two published files (draw.json, entries.txt):
// the seed against its commitment, the entry list against its hash, then every entry's
// score and an entry's rank. The algorithm is docs/draws.md's; nothing here trusts the
// figures printed on the page. window.drawVerifier.verify(dataUrl, entriesUrl) gives the
// whole order, for anyone who wants more than one rank.
(function () {
  "use strict";
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var encoder = new TextEncoder();

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function fromHex(text) {
    var bytes = new Uint8Array(text.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(i * 2, 2), 16);
    return bytes;
  }
  function sha256(data) {
    var bytes = typeof data === "string" ? encoder.encode(data) : data;
    return crypto.subtle.digest("SHA-256", bytes).then(hex);
  }
  function hmacKey(bytes) {
    return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }
  // As the box office reads a typed reference: no spaces or dashes, capitals, O as 0, I and L as 1.
  function normalize(text) {
    var ref = String(text).replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
    if (ref.length !== 12) return null;
    for (var i = 0; i < ref.length; i++) if (ALPHABET.indexOf(ref[i]) < 0) return null;
    return ref;
  }
  function parseList(bytes) {
    var text = new TextDecoder("ascii").decode(bytes);
    if (!text) return [];
    if (text[text.length - 1] !== "\n") throw new Error("the entry list must end with a line feed");
    var lines = text.slice(0, -1).split("\n");
    lines.forEach(function (line, i) {
      if (!/^[0-9a-f]{64}$/.test(line)) throw new Error("line " + (i + 1) + " is not a hashed reference");
      if (i && line <= lines[i - 1]) throw new Error("line " + (i + 1) + " is out of order or repeated");
    });
    return lines;
  }

  async function verify(dataUrl, entriesUrl) {
    var published = await (await fetch(dataUrl)).json();
    var listing = new Uint8Array(await (await fetch(entriesUrl)).arrayBuffer());
    var hashed = parseList(listing);
    var seedMatches = (await sha256(published.seed)) === published.seed_commitment;
    var listMatches = (await sha256(listing)) === published.entries_hash;
    var drawKey = await crypto.subtle.sign("HMAC", await hmacKey(fromHex(published.seed)),
                                           encoder.encode(published.public_value || ""));
    var key = await hmacKey(drawKey);
    var scored = await Promise.all(hashed.map(async function (h) {
      return [hex(await crypto.subtle.sign("HMAC", key, encoder.encode(h))), h];
    }));
    scored.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    return { seedMatches: seedMatches, listMatches: listMatches, countMatches: hashed.length === published.entry_count,
             order: scored.map(function (s) { return s[1]; }) };
  }

  window.drawVerifier = { verify: verify, normalize: normalize, sha256: sha256 };

  var root = document.getElementById("verifier");
  if (!root) return;
  var text = JSON.parse(document.getElementById("verifier-text").textContent);
  var out = document.getElementById("verifier-result");
  // A count as the page writes it (the |number filter): grouped by threes with the
  // page's mark ("," in English, a narrow no-break space in French).
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, root.dataset.group || ""); }
  function say(message, values, good) {
    var li = document.createElement("li");
    li.textContent = message.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
    if (good !== undefined) li.className = good ? "verified" : "refuted";
    out.appendChild(li);
  }
  root.hidden = false;
  root.querySelector("form").addEventListener("submit", async function (event) {
    event.preventDefault();
    out.textContent = "";
    if (!window.crypto || !crypto.subtle) { say(text.unsupported, {}); return; }
    var typed = document.getElementById("verify-reference").value;
    var reference = typed.trim() ? normalize(typed) : "";
    if (reference === null) { say(text.bad_reference, {}, false); return; }
    say(text.working, {});
    var result;
    try {
      result = await verify(root.dataset.dataUrl, root.dataset.entriesUrl);
    } catch (error) {
      out.textContent = "";
      say(text.failed + " (" + error.message + ")", {}, false);
      return;
    }
    out.textContent = "";
    say(result.seedMatches ? text.seed_ok : text.seed_bad, {}, result.seedMatches);
    var listOk = result.listMatches && result.countMatches;
    say(listOk ? text.list_ok : text.list_bad, { count: grouped(result.order.length) }, listOk);
    if (reference) {
      var shown = reference.match(/.{4}/g).join("-");
      var rank = result.order.indexOf(await sha256(reference)) + 1;
      if (rank) say(text.rank, { reference: shown, rank: grouped(rank), count: grouped(result.order.length) }, true);
      else say(text.absent, { reference: shown }, false);
    }
  });
})();
