// Polls a background job's progress (read from the database by whichever web process answers)
// and reloads the page once the job has finished, to show its result.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("job-progress");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("job-bar");
  var percent = document.getElementById("job-percent");
  var status = document.getElementById("job-status");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        percent.textContent = data.percent + "%";
        status.textContent = data.status_label;
        status.setAttribute("data-status", data.status);
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
});
