// The morning overview keeps itself up to date (/web/morning).
//
// The page works without this script: a reload shows the state of now. With it, the
// browser listens to /web/morning/events (Server-Sent Events); each "changed" event
// means something at one of the schools changed, and the overview's body is fetched
// again from /web/morning/table and put in place. EventSource reconnects by itself
// (the server names the delay); after a reconnect the body is fetched once, since
// changes may have happened while the stream was down.
(function () {
  "use strict";
  var region = document.getElementById("morning-overview");
  var live = document.getElementById("morning-live");
  if (!region || !live || typeof window.EventSource !== "function" || typeof window.fetch !== "function") {
    return;
  }
  var busy = false;
  var again = false;
  var opened = false;

  function say(text) {
    live.textContent = text;
  }

  // The time the server read the overview, in the school's time (not this computer's clock).
  function readAt() {
    var stamp = region.querySelector("[data-updated-at]");
    return stamp ? stamp.getAttribute("data-updated-at") : "";
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(region.getAttribute("data-table"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          // Signed out or no longer theirs: a reload shows the page as it is now.
          throw new Error("status " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        region.setAttribute("data-refreshed", String(Date.now()));
        say(live.getAttribute("data-updated").replace("{at}", readAt()));
      })
      .catch(function () {
        say(live.getAttribute("data-offline"));
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(region.getAttribute("data-events"));
  source.addEventListener("open", function () {
    if (opened) {
      refresh();
    } else {
      say(live.getAttribute("data-live"));
    }
    opened = true;
  });
  source.addEventListener("changed", refresh);
  source.addEventListener("error", function () {
    if (source.readyState !== EventSource.OPEN) {
      say(live.getAttribute("data-offline"));
    }
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
