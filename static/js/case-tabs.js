// The tabs of a person's case (templates/ddr/person_detail.html). Without this script each tab is
// a link the server opens (?tab=name); with it a tab opens in place, the address follows (so it can
// be copied and shared), #name opens its tab too, and the timeline's links open theirs.
(() => {
  const nav = document.querySelector("[data-case-tabs]");
  if (!nav || !window.bootstrap) return;
  const tabOf = (name) => nav.querySelector(`[data-case-tab="${CSS.escape(name)}"]`);
  const show = (name) => {
    const tab = tabOf(name);
    if (tab) window.bootstrap.Tab.getOrCreateInstance(tab).show();
    return Boolean(tab);
  };
  nav.addEventListener("shown.bs.tab", (event) => {
    const url = new URL(window.location.href);
    url.searchParams.set("tab", event.target.dataset.caseTab);
    url.hash = "";
    window.history.replaceState(null, "", url);
  });
  document.querySelectorAll("[data-case-link]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (show(link.dataset.caseLink)) {
        event.preventDefault();
        nav.scrollIntoView({ block: "nearest" });
      }
    });
  });
  // The addresses of the page before it had these tabs: #identity and #history-tab.
  const aliases = { identity: "overview", "history-tab": "history" };
  const asked = decodeURIComponent(window.location.hash.slice(1));
  if (asked) show(aliases[asked] || asked);
  // On a phone the tabs scroll inside their row: the open one is brought into view.
  const active = nav.querySelector(".nav-link.active");
  if (active) nav.scrollLeft = active.parentElement.offsetLeft - nav.offsetLeft;
})();
