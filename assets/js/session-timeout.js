// Warn before a signed-in session ends (WCAG 2.2.1 Timing Adjustable): at least two minutes' notice and
// one action, "Stay signed in", to extend it.
//
// The page says when the session ends in #app-session-notice (inside <main>, so htmx brings a fresh one
// with each step): seconds left to the idle and absolute limits, the warning time, the status URL and a
// CSRF token. Before warning, the script asks the server how long is really left (another tab may have
// kept the session going); asking does not extend it. The dialog is a native <dialog> opened with
// showModal(): focus moves into it, the rest of the page is inert, and Escape counts as "Stay signed in".
// When it closes, focus goes back to where it was.

const state = {
  timer: 0,
  notice: null,
  returnFocus: null,
};

function dialog() {
  return document.getElementById("app-timeout-dialog");
}

function readNotice() {
  const notice = document.getElementById("app-session-notice");
  if (!notice) {
    return null;
  }
  return {
    element: notice,
    idle: Number(notice.dataset.idleSecondsLeft),
    absolute: Number(notice.dataset.absoluteSecondsLeft),
    warning: Number(notice.dataset.warningSeconds),
    statusUrl: notice.dataset.statusUrl,
    csrfToken: notice.dataset.csrfToken,
  };
}

function schedule(idleLeft, absoluteLeft) {
  window.clearTimeout(state.timer);
  const notice = state.notice;
  if (!notice) {
    return;
  }
  const first = Math.min(idleLeft, absoluteLeft);
  const wait = Math.max(0, first - notice.warning);
  const started = Date.now();
  notice.endsAt = started + first * 1000;
  notice.kind = absoluteLeft <= idleLeft ? "absolute" : "idle";
  state.timer = window.setTimeout(check, wait * 1000);
}

async function fetchStatus(method) {
  const notice = state.notice;
  const headers = { Accept: "application/json" };
  if (method === "POST") {
    headers["X-CSRFToken"] = notice.csrfToken;
  }
  const response = await fetch(notice.statusUrl, {
    method,
    headers,
    credentials: "same-origin",
  });
  if (!response.ok) {
    throw new Error(`session status ${response.status}`);
  }
  return response.json();
}

function updateNotice(status) {
  if (status.notice && state.notice?.element) {
    state.notice.element.textContent = status.notice;
  }
}

async function check() {
  const notice = state.notice;
  if (!notice) {
    return;
  }
  let status;
  try {
    status = await fetchStatus("GET");
  } catch {
    status = null;
  }
  if (status && !status.signed_in) {
    show("ended");
    return;
  }
  if (status) {
    const first = Math.min(status.idle_seconds_left, status.absolute_seconds_left);
    if (first > notice.warning + 5) {
      // Kept going from another tab: nothing to warn about yet.
      updateNotice(status);
      schedule(status.idle_seconds_left, status.absolute_seconds_left);
      return;
    }
    notice.kind = status.absolute_seconds_left <= status.idle_seconds_left ? "absolute" : "idle";
    notice.endsAt = Date.now() + first * 1000;
  }
  show(notice.kind);
  window.clearTimeout(state.timer);
  state.timer = window.setTimeout(ended, Math.max(0, notice.endsAt - Date.now()));
}

function ended() {
  show("ended");
}

function show(kind) {
  const box = dialog();
  if (!box) {
    return;
  }
  for (const part of box.querySelectorAll("[data-timeout-state]")) {
    part.hidden = part.dataset.timeoutState !== kind;
  }
  // After htmx steps the address is not the one the page was first served at: come back to this one.
  for (const link of box.querySelectorAll("a[data-sign-in-url]")) {
    const next = `${window.location.pathname}${window.location.search}`;
    link.href = `${link.dataset.signInUrl}?next=${encodeURIComponent(next)}`;
  }
  box.setAttribute("aria-labelledby", `app-timeout-title-${kind}`);
  box.setAttribute("aria-describedby", `app-timeout-text-${kind}`);
  if (!box.open) {
    state.returnFocus = document.activeElement;
    box.showModal();
  }
  const action = box.querySelector(`[data-timeout-state="${kind}"] button`);
  action?.focus();
}

function close() {
  const box = dialog();
  if (box?.open) {
    box.close();
  }
  if (state.returnFocus instanceof HTMLElement && document.contains(state.returnFocus)) {
    state.returnFocus.focus();
  }
  state.returnFocus = null;
}

async function staySignedIn() {
  try {
    const status = await fetchStatus("POST");
    if (!status.signed_in) {
      show("ended");
      return;
    }
    updateNotice(status);
    close();
    schedule(status.idle_seconds_left, status.absolute_seconds_left);
  } catch {
    show("ended");
  }
}

function start() {
  const notice = readNotice();
  state.notice = notice;
  if (!notice) {
    window.clearTimeout(state.timer);
    return;
  }
  schedule(notice.idle, notice.absolute);
}

function wire() {
  const box = dialog();
  if (!box || box.dataset.wired) {
    return;
  }
  box.dataset.wired = "true";
  box.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest("[data-timeout-extend]")) {
      staySignedIn();
    } else if (target.closest("[data-timeout-close]")) {
      close();
    }
  });
  box.addEventListener("cancel", (event) => {
    // Escape: in the idle warning it means "stay signed in"; otherwise just close.
    event.preventDefault();
    const visible = box.querySelector("[data-timeout-state]:not([hidden])");
    if (visible?.dataset.timeoutState === "idle") {
      staySignedIn();
    } else {
      close();
    }
  });
}

export function initSessionTimeout() {
  wire();
  start();
  // Each htmx step was a request that may have moved the limit on; its new <main> carries a new notice.
  document.addEventListener("htmx:afterSettle", start);
}
