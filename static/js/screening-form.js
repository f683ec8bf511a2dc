// Progressive enhancement of the screening forms (registration and host page). Without it the form
// works the same; the server lists the country's zones first when it shows the form again.
// - A new registration starts in the visitor's own time zone, when the list has it.
// - Choosing a country lists its time zones first and, if the chosen zone lies elsewhere, picks one of
//   the country's zones (the visitor's own if it is there).
(function () {
  "use strict";
  var zoneSelect = document.getElementById("id_timezone");
  var countrySelect = document.getElementById("id_country");
  if (!zoneSelect) {
    return;
  }
  var browserZone = "";
  try {
    browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    browserZone = "";
  }
  // Browsers name some zones as CLDR does, by names the time zone database has since replaced, and the
  // list holds only the current names (tests/events/test_timezones.py checks each pair against tzdata).
  var RENAMED_ZONES = {
    "Africa/Asmera": "Africa/Asmara",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca",
    "America/Coral_Harbour": "America/Atikokan",
    "America/Cordoba": "America/Argentina/Cordoba",
    "America/Godthab": "America/Nuuk",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Jujuy": "America/Argentina/Jujuy",
    "America/Louisville": "America/Kentucky/Louisville",
    "America/Mendoza": "America/Argentina/Mendoza",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk"
  };
  browserZone = RENAMED_ZONES[browserZone] || browserZone;
  var options = Array.prototype.slice.call(zoneSelect.options);
  var originalOrder = options.slice();

  function optionFor(zone) {
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === zone) {
        return options[i];
      }
    }
    return null;
  }

  if (zoneSelect.form && zoneSelect.form.hasAttribute("data-zone-from-browser") && optionFor(browserZone)) {
    zoneSelect.value = browserZone;
  }

  function arrangeFor(country) {
    var first = [];
    var rest = [];
    originalOrder.forEach(function (option) {
      if (country && option.getAttribute("data-country") === country) {
        // The country's main zone leads its zones.
        option.hasAttribute("data-main") ? first.unshift(option) : first.push(option);
      } else {
        rest.push(option);
      }
    });
    first.concat(rest).forEach(function (option) {
      zoneSelect.appendChild(option);  // moves the option; the selection stays
    });
    var chosen = zoneSelect.options[zoneSelect.selectedIndex];
    if (first.length && chosen && chosen.value !== "UTC" && chosen.getAttribute("data-country") !== country) {
      var own = optionFor(browserZone);
      zoneSelect.value = own && own.getAttribute("data-country") === country ? browserZone : first[0].value;
    }
  }

  if (countrySelect) {
    countrySelect.addEventListener("change", function () {
      arrangeFor(countrySelect.value);
    });
  }
})();
