// Progressive enhancement of the FAQ page: when an entry is opened by its anchor (#slug), the
// language switch leads to the same entry in the other language, whose anchor is its own slug.
(function () {
  "use strict";
  function updateLanguageLinks() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var links = document.querySelectorAll(".language-switch a[hreflang]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var language = link.getAttribute("hreflang");
      var slug = target ? target.getAttribute("data-slug-" + language) : null;
      var url = new URL(link.href);
      url.hash = slug ? "#" + slug : "";
      link.href = url.toString();
    }
  }
  window.addEventListener("hashchange", updateLanguageLinks);
  updateLanguageLinks();
})();
