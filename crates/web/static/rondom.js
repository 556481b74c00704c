// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    ev.preventDefault();
  }
});
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.innerText.trim());
    button.textContent = "Gekopieerd";
  });
}
// A failed form: each message is tied to its field for screen readers, and the focus
// moves to the summary so that the person hears what to fix.
for (const field of document.querySelectorAll(".field.has-error")) {
  const message = field.querySelector(".field-error");
  const control = field.querySelector("input:not([type=hidden]), select, textarea");
  if (!message || !control) continue;
  if (!message.id) message.id = (control.id || control.name) + "-fout";
  control.setAttribute("aria-invalid", "true");
  const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(message.id)) described.push(message.id);
  control.setAttribute("aria-describedby", described.join(" "));
}
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}
// Limited text fields say how much room is left.
for (const area of document.querySelectorAll("textarea[maxlength]")) {
  const max = Number(area.getAttribute("maxlength"));
  if (!max) continue;
  const counter = document.createElement("p");
  counter.className = "counter muted";
  counter.id = (area.id || area.name) + "-teller";
  const show = () => { counter.textContent = `${area.value.length} van ${max} tekens`; };
  show();
  area.addEventListener("input", show);
  area.insertAdjacentElement("afterend", counter);
  const described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  described.push(counter.id);
  area.setAttribute("aria-describedby", described.join(" "));
}
// Each table cell knows its column's name, for the stacked rows of a phone.
for (const table of document.querySelectorAll("main table")) {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  if (!names.length) continue;
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (names[i] && cell.tagName === "TD") cell.dataset.label = names[i];
    });
  }
}
// A new conversation: the list of people to choose shows only when choosing people.
const chooser = document.querySelector("fieldset[data-chosen]");
if (chooser) {
  const kinds = [...document.querySelectorAll("input[name=soort]")];
  const sync = () => { chooser.hidden = !kinds.some((k) => k.checked && k.value === "chosen"); };
  for (const k of kinds) k.addEventListener("change", sync);
  sync();
}
// Live messages: a page with [data-live] hears of news over Server-Sent Events. An open
// conversation fetches its new messages (the same HTML a reload shows) and appends them;
// elsewhere the unread counts are fetched again. Without this script a reload shows it all.
const liveArea = document.querySelector("[data-live]");
if (liveArea && window.EventSource) {
  const thread = document.getElementById("berichten");
  const source = new EventSource("/live");
  // For whoever waits for the stream (a test, a screen reader's live region): it is open.
  source.addEventListener("open", () => { document.documentElement.dataset.live = "open"; });
  let queue = Promise.resolve();
  const later = (job) => { queue = queue.then(job).catch(() => {}); };
  const counts = async () => {
    const answer = await fetch("/berichten/ongelezen", { headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    const { total, conversations } = await answer.json();
    const show = (badge, n) => {
      const number = badge.querySelector("[data-count]");
      if (number) number.textContent = String(n);
      badge.hidden = n === 0;
    };
    for (const badge of document.querySelectorAll("[data-unread-total]")) show(badge, total);
    for (const badge of document.querySelectorAll("[data-unread-for]")) {
      show(badge, conversations[badge.dataset.unreadFor] || 0);
    }
  };
  const fetchItems = async (after, count) => {
    const url = `/gesprekken/${thread.dataset.conversation}/nieuw?na=${after}` + (count ? `&aantal=${count}` : "");
    const answer = await fetch(url);
    if (!answer.ok) return;
    const holder = document.createElement("template");
    holder.innerHTML = await answer.text();
    for (const item of holder.content.querySelectorAll("li[data-seq]")) {
      const shown = document.getElementById(item.id);
      if (shown) {
        shown.replaceWith(item);
      } else {
        thread.querySelector("li.empty")?.remove();
        thread.append(item);
      }
      thread.dataset.last = String(Math.max(Number(thread.dataset.last), Number(item.dataset.seq)));
    }
  };
  const news = (ev) => {
    const data = JSON.parse(ev.data);
    if (thread && data.conversation_id === thread.dataset.conversation) {
      if (ev.type === "message") later(() => fetchItems(Number(thread.dataset.last)));
      else if (data.message) later(() => fetchItems(data.message.seq - 1, 1));
    } else {
      later(counts);
    }
  };
  for (const kind of ["message", "edit", "withdrawn", "conversation"]) source.addEventListener(kind, news);
  window.addEventListener("pagehide", () => source.close());
}
