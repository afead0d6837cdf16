/*
 * The article page's keyboard and selection help, layered on plain forms that work without it.
 *
 * j/k move between marks, v/d/u/x label or dismiss the current mark by clicking its own
 * htmx-enhanced button, n focuses its note, ? opens the shortcuts dialog, and r (on any page)
 * goes to "Review next". Arriving at #claim-N makes that mark current and focused. Selecting text
 * in the article fills the "Add a mark" form with character offsets into the body. A long article
 * comes a section at a time: j past the last mark loaded brings in the next section.
 * No inline script anywhere: everything hooks onto data- attributes.
 */
(function () {
  "use strict";

  const ACTION_KEYS = { v: "verified", d: "disputed", u: "unclear", x: "dismiss" };
  let currentId = null;
  // j was pressed on the last mark loaded: move on once the next section is in.
  let movingOn = false;

  function panels() {
    return Array.from(document.querySelectorAll(".mark-panel"));
  }

  function panelById(id) {
    return id === null ? null : document.getElementById("claim-" + id);
  }

  function textMarks(id) {
    return document.querySelectorAll('[data-article-text] mark[data-claims~="' + id + '"]');
  }

  function select(panel, scroll, keepFocus) {
    document.querySelectorAll(".is-current").forEach(function (element) {
      element.classList.remove("is-current");
    });
    currentId = panel.dataset.claim;
    panel.classList.add("is-current");
    const marks = textMarks(currentId);
    marks.forEach(function (mark) { mark.classList.add("is-current"); });
    if (!keepFocus && !panel.contains(document.activeElement)) {
      panel.focus({ preventScroll: true });
    }
    if (scroll) {
      reveal(panel);
      if (marks.length) {
        marks[0].scrollIntoView({ block: "center" });
      }
    }
  }

  // Scroll the side column, not the page, when it scrolls on its own (wide screens).
  function reveal(panel) {
    const side = panel.closest(".side");
    if (!side || side.scrollHeight <= side.clientHeight) {
      panel.scrollIntoView({ block: "nearest" });
      return;
    }
    // Until the page scrolls, the sticky column may reach below the window: count only what shows.
    const box = panel.getBoundingClientRect();
    const frame = side.getBoundingClientRect();
    const top = Math.max(frame.top, 0);
    const bottom = Math.min(frame.bottom, window.innerHeight);
    if (box.top < top) {
      side.scrollTop -= top - box.top + 8;
    } else if (box.bottom > bottom) {
      side.scrollTop += Math.min(box.bottom - bottom + 8, box.top - top - 8);
    }
  }

  function move(step) {
    const all = panels();
    if (!all.length) {
      return;
    }
    const index = all.findIndex(function (panel) { return panel.dataset.claim === currentId; });
    const nextSection = document.querySelector("[data-next-section]");
    if (step > 0 && index === all.length - 1 && nextSection) {
      // htmx loads it in place; without htmx the click follows the link to that section's page.
      movingOn = true;
      nextSection.click();
      return;
    }
    const next = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    select(all[next], true);
  }

  // While a note field is on its way, keys are held back: a quick "n" then "very…" must not press "v".
  let openingNote = false;

  function focusNote(panel) {
    // The forms load when the details open (htmx), so focus the note once it is there.
    const details = panel.querySelector("details.mark-edit");
    if (!details) return;
    details.open = true;
    openingNote = true;
    const focusWhenReady = function (attempt) {
      const note = panel.querySelector('textarea[name="note"]');
      if (note) note.focus();
      if (note || attempt >= 100) openingNote = false;
      else setTimeout(function () { focusWhenReady(attempt + 1); }, 20);
    };
    focusWhenReady(0);
  }

  function isTyping(target) {
    return target instanceof Element && target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (openingNote && !isTyping(event.target)) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    const dialog = document.querySelector("[data-keys-dialog]");
    if (dialog && dialog.open) {
      return;
    }
    const reviewNext = document.querySelector("a[data-review-next]");
    if (event.key === "r" && reviewNext) {
      event.preventDefault();
      window.location.assign(reviewNext.href);
      return;
    }
    if (!dialog) {
      return;
    }
    const current = panelById(currentId);
    if (event.key === "j" || event.key === "k") {
      move(event.key === "j" ? 1 : -1);
    } else if (event.key === "?") {
      dialog.showModal();
    } else if (event.key === "n" && current) {
      focusNote(current);
    } else if (ACTION_KEYS[event.key] && current && current.querySelector('[data-key-action="' + ACTION_KEYS[event.key] + '"]')) {
      // The mark's own button: htmx posts it and swaps the fresh fragment in, no page load.
      current.querySelector('[data-key-action="' + ACTION_KEYS[event.key] + '"]').click();
    } else {
      return;
    }
    event.preventDefault();
  });

  // Working inside a mark's panel, or clicking its highlight, makes it the current mark.
  document.addEventListener("focusin", function (event) {
    const panel = event.target instanceof Element && event.target.closest(".mark-panel");
    if (panel && panel.dataset.claim !== currentId) {
      select(panel, false);
    }
  });

  document.addEventListener("click", function (event) {
    const mark = event.target instanceof Element && event.target.closest("[data-article-text] mark[data-claims]");
    const selection = document.getSelection();
    if (!mark || (selection && !selection.isCollapsed)) {
      return;
    }
    const panel = panelById(mark.dataset.claims.split(" ").pop());
    if (panel) {
      select(panel, false);
      reveal(panel);
    }
  });

  // htmx replaced the current mark's panel and the text: mark it current again, and give it back
  // the keyboard focus that the swap took away (unless the user is busy elsewhere).
  document.addEventListener("htmx:afterSettle", function () {
    if (movingOn) {
      movingOn = false;
      move(1);
      return;
    }
    const panel = panelById(currentId);
    if (panel) {
      select(panel, false, document.activeElement !== document.body && document.activeElement !== null);
    }
  });

  // After a label from the queue, the server names the next mark when it is on this page: go to it.
  document.body.addEventListener("queue-next", function (event) {
    const panel = panelById(String(event.detail.claim));
    if (panel) {
      history.replaceState(null, "", "#claim-" + event.detail.claim);
      select(panel, true);
    } else if (document.querySelector("[data-sections]")) {
      // In a section of this long article that is not loaded: open the page at it.
      window.location.assign(window.location.pathname + "?queue=" + event.detail.claim + "#claim-" + event.detail.claim);
    }
  });

  // The review queue sends reviewers to #claim-N: that mark is the one to label, so v/d/u/x act on it.
  function selectFromHash() {
    const match = /^#claim-(\d+)$/.exec(window.location.hash);
    const panel = match && panelById(match[1]);
    if (panel && panel.classList.contains("mark-panel")) {
      select(panel, true);
    } else if (match && document.querySelector("[data-sections]") && !new URLSearchParams(window.location.search).has("mark")) {
      // A long article shows one section; the server knows which one holds the mark.
      window.location.replace(window.location.pathname + "?mark=" + match[1] + match[0]);
    }
  }

  selectFromHash();
  window.addEventListener("hashchange", selectFromHash);

  // Offsets count code points, as Python's str indexes do; JavaScript strings count UTF-16 units.
  function codePoints(text) {
    return Array.from(text).length;
  }

  function fillFromSelection() {
    const addMark = document.querySelector("[data-claim-form]");
    const selection = document.getSelection();
    if (!addMark || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    const range = selection.getRangeAt(0);
    // The text, or in a long article the section, where the selection starts; it must end there too.
    const start = range.startContainer;
    const container = (start instanceof Element ? start : start.parentElement).closest("[data-article-text]");
    if (!container || !container.contains(range.endContainer)) {
      return;
    }
    const selected = range.toString();
    const trimmed = selected.trim();
    if (!trimmed) {
      return;
    }
    const before = document.createRange();
    before.setStart(container, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const leading = selected.slice(0, selected.length - selected.trimStart().length);
    const offset = Number(container.dataset.offset || 0) + codePoints(before.toString()) + codePoints(leading);
    const form = addMark.querySelector("form");
    form.elements.start.value = offset;
    form.elements.end.value = offset + codePoints(trimmed);
    addMark.querySelector("[data-selection-preview]").textContent = trimmed;
    addMark.open = true;
  }

  document.addEventListener("selectionchange", fillFromSelection);
})();
