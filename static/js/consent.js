// Progressive enhancement of the consent banner and the trailer button: the same forms that work
// without JavaScript are sent in the background, so the page does not reload. The server checks the
// request's origin (these forms carry no CSRF token, as no cookie may exist before a choice).
(function () {
  "use strict";
  var status = document.getElementById("consent-status");
  var trailer = document.querySelector("[data-trailer-form]");

  function announce(key) {
    if (status) {
      status.textContent = status.getAttribute(key) || "";
    }
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Consent-Fetch": "1" },
    }).then(function (response) {
      if (response.status !== 204) {
        throw new Error("consent not saved: " + response.status);
      }
    });
  }

  var forms = document.querySelectorAll("[data-consent-form]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.currentTarget;
      send(form).then(
        function () {
          var banner = document.querySelector("[data-consent-banner]");
          if (banner) {
            banner.parentNode.removeChild(banner);
          }
          announce("data-saved-message");
          if (form.getAttribute("data-consent-form") === "accept") {
            trailerAccepted();
          }
          var main = document.getElementById("main");
          if (main) {
            main.focus({ preventScroll: true });
          }
        },
        function () {
          announce("data-error-message");
        }
      );
    });
  }

  // The trailer's cookies accepted (in the banner, or by pressing play): its button and note no longer
  // ask for the consent just given.
  function trailerAccepted() {
    if (!trailer) {
      return;
    }
    var label = trailer.querySelector("[data-consented-label]");
    if (label) {
      label.textContent = label.getAttribute("data-consented-label");
    }
    var note = trailer.parentNode.querySelector(".trailer__note");
    if (note) {
      note.parentNode.removeChild(note);
    }
  }

  if (trailer) {
    trailer.addEventListener("submit", function (event) {
      event.preventDefault();
      send(trailer).then(
        function () {
          var frame = document.createElement("div");
          frame.className = "trailer__frame";
          var iframe = document.createElement("iframe");
          iframe.src = trailer.getAttribute("data-embed-src");
          iframe.title = trailer.getAttribute("data-embed-title");
          iframe.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
          iframe.allowFullscreen = true;
          iframe.referrerPolicy = "strict-origin-when-cross-origin";
          frame.appendChild(iframe);
          trailerAccepted();
          trailer.parentNode.replaceChild(frame, trailer);
          iframe.focus();
        },
        function () {
          announce("data-error-message");
        }
      );
    });
  }
})();
