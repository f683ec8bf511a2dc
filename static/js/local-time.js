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
  var language = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    if (!readerZone || readerZone === element.getAttribute("data-zone")) {
      return;
    }
    var start = new Date(element.getAttribute("datetime"));
    if (isNaN(start.getTime())) {
      return;
    }
    // (dateStyle cannot be combined with timeZoneName, so the parts are named one by one.)
    var local = new Intl.DateTimeFormat(language, {
      year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: readerZone, timeZoneName: "short"
    }).format(start);
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " " + element.getAttribute("data-local-label") + " " + local;
    element.parentNode.appendChild(note);
  });
})();
