// Sort and filter long tables, offline: no library, no network. Allowed by its hash in each page's CSP.
// A long table shows the latest rows first (when it is in date order) and folds all but the first FOLD rows behind a
// button that says how many; without script every row shows, in the order written.
(function () {
  function key(cell) {
    var v = cell ? cell.getAttribute("data-sort") : "";
    return v !== null ? v : cell.textContent.trim();
  }
  function compare(a, b) {
    var number = /^-?[0-9]+(\.[0-9]+)?$/;
    if (number.test(a) && number.test(b)) return parseFloat(a) - parseFloat(b);
    if (a === "" || a === "–") return b === "" || b === "–" ? 0 : 1;
    if (b === "" || b === "–") return -1;
    return a.localeCompare(b);
  }
  var FOLD = 10;
  document.querySelectorAll("table.data-table").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 6) return;
    table.classList.add("sortable");
    var heads = table.querySelectorAll("thead th");
    var more = null, input = null;
    function fold() {
      var filtered = input && input.value.trim() !== "";
      var rows = Array.from(body.rows), open = !more || more.getAttribute("aria-expanded") === "true";
      rows.forEach(function (row, i) { row.classList.toggle("folded", !open && !filtered && i >= FOLD); });
      if (more) more.hidden = filtered;
    }
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.from(body.rows)
          .map(function (row, i) { return [row, i]; })
          .sort(function (x, y) {
            var d = compare(key(x[0].cells[col]), key(y[0].cells[col]));
            return (ascending ? d : -d) || x[1] - y[1];
          })
          .forEach(function (pair) { body.appendChild(pair[0]); });
        fold();
      });
    });
    input = document.createElement("input");
    input.type = "search";
    input.className = "table-filter";
    input.placeholder = "Filter rows…";
    input.setAttribute("aria-label", "Filter the rows of the table below");
    var count = document.createElement("span");
    count.className = "table-count";
    count.setAttribute("aria-live", "polite");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      Array.from(body.rows).forEach(function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
        if (!row.hidden) shown += 1;
      });
      count.textContent = q === "" ? "" : shown + " of " + body.rows.length + " rows";
      fold();
    });
    var box = table.closest(".table-scroll") || table;
    var bar = document.createElement("div");
    bar.className = "table-tools";
    bar.appendChild(input);
    bar.appendChild(count);
    box.parentNode.insertBefore(bar, box);
    if (body.rows.length > FOLD + 2) {
      // in date order, oldest first: show the latest first
      var dated = Array.from(heads).findIndex(function (th) { return th.classList.contains("date"); });
      if (dated >= 0) {
        var keys = Array.from(body.rows).map(function (row) { return key(row.cells[dated]); }).filter(function (k) { return k; });
        var ascending = keys.length > 1 && keys.every(function (k, i) { return i === 0 || keys[i - 1] <= k; });
        if (ascending && keys[0] !== keys[keys.length - 1]) {
          heads[dated].querySelector("button").click();  // ascending
          heads[dated].querySelector("button").click();  // descending: the latest first
        }
      }
      more = document.createElement("button");
      more.type = "button";
      more.className = "table-more";
      more.setAttribute("aria-expanded", "false");
      more.textContent = "Show all " + body.rows.length + " rows (" + (body.rows.length - FOLD) + " more)";
      more.addEventListener("click", function () {
        var open = more.getAttribute("aria-expanded") !== "true";
        more.setAttribute("aria-expanded", open ? "true" : "false");
        more.textContent = open ? "Show the first " + FOLD + " rows" : "Show all " + body.rows.length + " rows (" + (body.rows.length - FOLD) + " more)";
        fold();
      });
      box.parentNode.insertBefore(more, box.nextSibling);
      fold();
    }
  });
})();
