// The lead form: browser hints from the lead rules (lead-rules.js, a copy of LeadFlow.Leads held to the same
// verdicts by a test), a POST of the bare lead to /form/events, then a poll of GET /form/leads/{leadId} until the workflow
// has finished. No build step, no dependencies.
"use strict";

const STEPS = ["ReceiveLead", "CreateClient", "CreatePartner", "CreateBenefit"];
const FIELDS = ["name", "lastname", "rut", "phone", "mail", "store"];
const POLL_MS = 500;

// One event id per filled-in form, sent as Idempotency-Key (the intake makes it the lead's event id, so the
// workflow id is lead-<id>). Made when the form is shown. Kept while the same values are sent again: after a
// network error or a refusal the intake may still have started the workflow before its answer was lost, and the
// retry is then a duplicate, not a second lead. Renewed once the intake has accepted the lead, by "New lead", and
// when the values changed since the last attempt (the changed form is another lead, never silently dropped as a
// duplicate of the first values).
let eventId = newEventId();
// The lead last sent under eventId, as JSON; null when nothing was sent under it yet.
let sentUnderId = null;
// POSTs in flight. The disabled button is only a courtesy: a second submission that gets past it (a script, a
// browser extension) carries the same event id, and the intake answers Duplicate.
let sending = 0;
// The follow loop running (0: none). A newer follow, or "New lead", ends the older one.
let following = 0;
let follows = 0;

const $ = (id) => document.getElementById(id);

function showFieldError(field, message) {
  const input = $(field);
  $(`${field}-error`).textContent = message ? `${input.labels[0].textContent} ${message}.` : "";
  input.setAttribute("aria-invalid", message ? "true" : "false");
}

function checkField(field) {
  const error = LeadRules.check(field, $(field).value);
  showFieldError(field, error?.message ?? "");
  return error;
}

function setStatus(text, outcome) {
  const status = $("status");
  status.textContent = text;
  if (outcome) status.dataset.outcome = outcome; else delete status.dataset.outcome;
}

// crypto.randomUUID exists only in secure contexts (https, localhost); the form may be served over plain http
// inside a network, where getRandomValues still works.
function newEventId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function updateButtons() {
  $("submit").disabled = sending > 0 || following > 0;
  $("new-lead").disabled = sending > 0;
}

// The form's own routes (/form/...): same-origin only, no API key, the anti-forgery token of GET /form/token in a header.
let formToken = null;

async function headers() {
  if (formToken === null) {
    const response = await fetch("form/token");
    if (!response.ok) throw new Error(`the form's token could not be fetched (${response.status})`);
    formToken = await response.json();
  }
  return { "Content-Type": "application/json", [formToken.headerName]: formToken.token };
}

async function problemText(response) {
  try {
    const problem = await response.json();
    const fields = (problem.errors || []).map((e) => `${e.field}: ${e.error || e.message}`).join("; ");
    return [problem.title, problem.detail, fields].filter(Boolean).join(" ");
  } catch {
    return `HTTP ${response.status}`;
  }
}

function showSteps(lead) {
  const failedStep = lead?.error?.failedStep;
  const done = new Set((lead?.records || []).map((r) => r.step));
  if (lead && lead.outcome === "Completed") STEPS.forEach((s) => done.add(s));
  if (lead && lead.currentStep !== "ReceiveLead" && !(failedStep === "ReceiveLead")) done.add("ReceiveLead");
  for (const item of $("steps").children) {
    const step = item.dataset.step;
    item.dataset.state = step === failedStep ? "failed"
      : done.has(step) ? "done"
      : lead && lead.outcome === "Running" && lead.currentStep === step ? "running" : "pending";
  }
}

function showIds(lead) {
  const list = $("ids");
  list.replaceChildren();
  const rows = [];
  for (const record of lead.records || []) rows.push([record.step.replace("Create", ""), `${record.id}${record.created ? "" : " (already existed)"}`]);
  for (const record of lead.undone || []) rows.push([`${record.step.replace("Create", "")} undone`, String(record.id)]);
  if (lead.error?.failureRecordId) rows.push(["Failure record", String(lead.error.failureRecordId)]);
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.field = name.toLowerCase().replace(/\s+/g, "-");
    list.append(dt, dd);
  }
  list.hidden = rows.length === 0;
}

function reasonOf(lead) {
  const error = lead.error;
  if (!error) return "";
  const fields = (error.fieldErrors || []).map((f) => `${f.field}: ${f.message}`).join("; ");
  return fields || error.message;
}

async function follow(leadId) {
  const run = ++follows;
  following = run;
  updateButtons();
  try {
    while (following === run) {
      const response = await fetch(`form/leads/${encodeURIComponent(leadId)}`, { headers: await headers() });
      if (following !== run) return;
      if (response.ok) {
        const view = await response.json();
        if (following !== run) return;
        const lead = view.lead;
        showSteps(lead);
        if (lead && lead.outcome !== "Running" && view.runStatus !== "Running") {
          showIds(lead);
          if (lead.outcome === "Completed") {
            setStatus(`Lead completed: client ${lead.records[0]?.id}, partner ${lead.records[1]?.id}, benefit ${lead.records[2]?.id}.`, "Completed");
          } else {
            const verdict = lead.outcome === "Rejected" ? "rejected" : "failed";
            setStatus(`Lead ${verdict} at ${lead.error?.failedStep}: ${reasonOf(lead)}`, lead.outcome);
          }
          return;
        }
        if (view.runStatus !== "Running") {
          // Ended without an outcome of its own (terminated, canceled, timed out): say what Temporal says.
          setStatus(`Lead stopped: ${view.explanation || view.runStatus}`, "error");
          return;
        }
        // A lead that waits for an operator (the CRM refuses our credentials) says so; so does one with no worker, or
        // with a workflow task that keeps failing: the server's explanation says what the lead waits for.
        const waiting = view.workerPolling === false || (view.explanation || "").startsWith("stuck:");
        setStatus(view.attention ? `Waiting: ${view.attention}`
          : waiting ? `Waiting: ${view.explanation}` : `Working: ${lead ? lead.currentStep : "starting"}...`);
      } else if (response.status !== 404) {
        setStatus(`Could not read the lead's status: ${await problemText(response)}`, "error");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    if (following === run) setStatus(`Could not read the lead's status: ${error.message}`, "error");
  } finally {
    if (following === run) following = 0;
    updateButtons();
  }
}

function stopFollowing() {
  following = 0;
  updateButtons();
}

async function submit(event) {
  event.preventDefault();
  if ($("checkInBrowser").checked) {
    const invalid = FIELDS.filter((field) => checkField(field));
    if (invalid.length > 0) {
      setStatus(`Please correct ${invalid.length} field(s) before sending.`, "error");
      $(invalid[0]).focus();
      return;
    }
  } else {
    FIELDS.forEach((field) => showFieldError(field, ""));
  }

  // Sent as typed: the server trims and judges exactly what the hints judged.
  const lead = Object.fromEntries(FIELDS.map((field) => [field, $(field).value]));
  lead.wantsBenefit = $("wantsBenefit").checked;
  lead.origin = "web";
  const body = JSON.stringify(lead);
  if (sentUnderId !== null && sentUnderId !== body) eventId = newEventId();
  sentUnderId = body;
  const id = eventId;
  sending++;
  updateButtons();
  setStatus("Sending...");
  let accepted = null;
  try {
    const response = await fetch("form/events", { method: "POST", headers: { ...(await headers()), "Idempotency-Key": id }, body });
    if (!response.ok) {
      setStatus(response.status >= 500
        ? `The intake could not take the lead now: ${await problemText(response)} Press Send again to retry this same lead.`
        : `The intake refused the lead: ${await problemText(response)}`, "error");
      return;
    }
    accepted = (await response.json()).entries[0];
    // Accepted: whatever is sent next from this form is another lead.
    if (eventId === id) {
      eventId = newEventId();
      sentUnderId = null;
    }
  } catch (error) {
    setStatus(`The intake could not be reached (${error.message}). Press Send again to retry this same lead.`, "error");
    return;
  } finally {
    sending--;
    updateButtons();
  }

  $("lead-id").textContent = accepted.eventId;
  $("progress").hidden = false;
  $("ids").hidden = true;
  showSteps(null);
  setStatus(accepted.status === "Duplicate" ? "Already received; following it..." : "Received; following it...");
  await follow(accepted.eventId);
}

// A new, empty form: a new event id, and the previous lead is no longer followed.
function newLead() {
  stopFollowing();
  eventId = newEventId();
  sentUnderId = null;
  for (const field of FIELDS) {
    $(field).value = "";
    showFieldError(field, "");
  }
  $("wantsBenefit").checked = false;
  $("progress").hidden = true;
  $("ids").hidden = true;
  setStatus("");
  updateButtons();
  $("name").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  $("lead-form").addEventListener("submit", submit);
  $("new-lead").addEventListener("click", newLead);
  for (const field of FIELDS) {
    $(field).addEventListener("blur", () => { if ($("checkInBrowser").checked && $(field).value) checkField(field); });
  }
});
