// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Submit the language form as soon as a language is chosen; the button stays for keyboard users.
  var select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  // Move focus to an error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // On a phone-sized screen the main menu folds behind its "Menu" button (without this file the
  // button stays hidden and the menu is always shown).
  var nav = document.querySelector(".main-nav");
  var toggle = nav && nav.querySelector(".nav-toggle");
  if (toggle) {
    var narrow = window.matchMedia("(max-width: 640px)");
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("nav-open", open);
    };
    var fit = function () {
      toggle.hidden = !narrow.matches;
      nav.classList.add("nav-collapsible");
      setOpen(!narrow.matches);
    };
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
    narrow.addEventListener("change", fit);
    fit();
  }
  // A table wider than the screen scrolls inside its own box, which the keyboard can reach
  // (tabindex, role and a name), so the page itself never scrolls sideways.
  var main = document.getElementById("main");
  var boxes = [];
  document.querySelectorAll("main table").forEach(function (table) {
    var box = table.parentElement;
    if (!box.classList.contains("table-wrap") && !box.classList.contains("table-scroll")) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    boxes.push([box, table]);
  });
  var markScrollable = function () {
    boxes.forEach(function (pair) {
      var box = pair[0], caption = pair[1].querySelector("caption");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", (caption && caption.textContent.trim()) || main.getAttribute("data-table-label"));
        }
      }
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);
});
