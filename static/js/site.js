// Enhancements only: every page works without this file.
(function () {
  "use strict";

  // Search-as-you-type for actor inputs: suggestions from /suggest/actors/ (published actors),
  // offered through the input's <datalist>; the chosen value is the actor's slug.
  function attachSuggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.suggest;
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text === last || text.length < 1) return;
      last = text;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (actor) {
              var option = document.createElement("option");
              option.value = actor.slug;
              option.label = actor.name + (actor.country ? " (" + actor.country + ")" : "") + " — " + actor.kind;
              option.textContent = option.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a convenience; typing a slug still works */ });
      }, 150);
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attachSuggest);

  // "Another actor": clone the last actor input so several actors can be chosen (OR).
  document.querySelectorAll(".actor-filter").forEach(function (fieldset) {
    var button = fieldset.querySelector(".add-actor");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = fieldset.querySelectorAll(".actor-input");
      var row = rows[rows.length - 1].cloneNode(true);
      var input = row.querySelector("input");
      var label = row.querySelector("label");
      var id = input.id.replace(/\d+$/, "") + (rows.length + 1);
      input.id = id;
      input.value = "";
      label.htmlFor = id;
      label.textContent = label.textContent.replace(/\d+$/, rows.length + 1);
      button.before(row);
      attachSuggest(input);
      input.focus();
    });
  });
})();
