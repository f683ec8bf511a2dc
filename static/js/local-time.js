// On a screening's page: when the reader's own time zone is not the event's, add the start in the
// reader's local time after the event's. Without this script the event's time and zone stand alone.
(function () {
  "use strict";
  var readerZone;
  try {
    readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  var language = document.documentElement.lang || "en";
  // As the server writes times: British English dates, the 24-hour clock, and "Uhr" in German.
  var locale = language === "en" ? "en-GB" : language;
  function format(start, options) {
    options.timeZone = readerZone;
    return new Intl.DateTimeFormat(locale, options).format(start);
  }
  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    if (!readerZone || readerZone === element.getAttribute("data-zone")) {
      return;
    }
    var start = new Date(element.getAttribute("datetime"));
    if (isNaN(start.getTime())) {
      return;
    }
    var date = format(start, { year: "numeric", month: "long", day: "numeric" });
    var time = format(start, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var zone = new Intl.DateTimeFormat(locale, { timeZone: readerZone, timeZoneName: "short" })
      .formatToParts(start)
      .filter(function (part) { return part.type === "timeZoneName"; })
      .map(function (part) { return part.value; })
      .join("");
    var local = date + ", " + time + (language === "de" ? " Uhr" : "");
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " " + element.getAttribute("data-local-label") + " " + local + (zone ? " (" + zone + ")" : "");
    element.parentNode.appendChild(note);
  });
})();
