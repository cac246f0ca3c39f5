/* The product's own script: progressive enhancement only. Every page works without it (plain forms). */
(function () {
  "use strict";

  /* A refused or failed htmx request (403, 404, 5xx, no network) must not fail silently: the row stays as
     it was and a message says why. 400/409 answers are swapped in (the row with its errors), see base.html. */
  function showError(text) {
    var box = document.getElementById("hx-error");
    if (!box) return;
    box.textContent = text;
    box.classList.remove("d-none");
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { box.classList.add("d-none"); }, 8000);
  }

  function reasonOf(xhr) {
    // The product's error pages carry the reason in their first paragraph.
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var p = doc.querySelector("main .card-body p") || doc.querySelector("main p");
      return p ? p.textContent.trim() : "";
    } catch (e) {
      return "";
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, status = xhr.status;
    var reason = reasonOf(xhr);
    if (status === 403) showError("Нет доступа. " + reason);
    else if (status === 404) showError("Не найдено: запись удалена или недоступна. Обновите страницу.");
    else if (status === 429) showError("Слишком много запросов. Подождите немного и повторите.");
    else showError("Не удалось выполнить действие (ошибка " + status + "). Обновите страницу и повторите.");
  });
  /* A refusal answered with a whole error page (the request guard's 400 for a NUL character, say) must not
     be swapped into a table row: keep the row, show the page's reason. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && /<html[\s>]/i.test((xhr.responseText || "").slice(0, 600))) {
      event.detail.shouldSwap = false;
      showError(reasonOf(xhr) || "Запрос отклонён. Проверьте введённые данные.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showError("Нет связи с сервером. Проверьте подключение и повторите.");
  });

  /* Searchable multi-select for choosing people: Tom Select over the native <select multiple>, which
     stays in the form (without JavaScript it is the plain list). */
  function pickers(root) {
    if (typeof TomSelect === "undefined") return;
    var selects = (root || document).querySelectorAll("select[data-picker]");
    Array.prototype.forEach.call(selects, function (el) {
      if (el.tomselect) return;
      new TomSelect(el, {
        plugins: el.multiple ? {remove_button: {title: "Убрать"}} : {},
        maxOptions: null,
        hidePlaceholder: true,
        placeholder: el.dataset.placeholder || "Начните вводить фамилию",
        render: {
          no_results: function () { return '<div class="no-results">Никого не нашли</div>'; },
          option_create: function () { return ""; }
        },
        onItemAdd: function () { this.setTextboxValue(""); this.refreshOptions(false); }
      });
      var hint = el.parentElement && el.parentElement.querySelector(".picker-native-hint");
      if (hint) hint.textContent = "Начните вводить фамилию, выберите из списка; × — убрать.";
    });
  }

  if (window.htmx) {
    htmx.onLoad(pickers);  // the page itself and every fragment htmx brings in
  } else {
    document.addEventListener("DOMContentLoaded", function () { pickers(document); });
  }
})();
