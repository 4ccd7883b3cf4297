// The lead form: browser hints from the lead rules (lead-rules.js, a copy of LeadFlow.Leads held to the same
// verdicts by a test), a POST of the bare lead to /events, then a poll of GET /leads/{leadId} until the workflow
// has finished. No build step, no dependencies.
"use strict";

const STEPS = ["ReceiveLead", "CreateClient", "CreatePartner", "CreateBenefit"];
const FIELDS = ["name", "lastname", "rut", "phone", "mail", "store"];
const POLL_MS = 500;

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

function newKey() {
  return globalThis.crypto?.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("apiKey").value.trim();
  if (key) h["x-api-key"] = key;
  return h;
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
  for (;;) {
    const response = await fetch(`leads/${encodeURIComponent(leadId)}`, { headers: headers() });
    if (response.ok) {
      const view = await response.json();
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
      setStatus(`Working: ${lead ? lead.currentStep : "starting"}...`);
    } else if (response.status !== 404) {
      setStatus(`Could not read the lead's status: ${await problemText(response)}`, "error");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
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
  const button = $("submit");
  button.disabled = true;
  setStatus("Sending...");
  try {
    // One key per submission: a retried request is a duplicate of this lead, not a second lead.
    const response = await fetch("events", { method: "POST", headers: { ...headers(), "Idempotency-Key": newKey() }, body: JSON.stringify(lead) });
    if (!response.ok) {
      setStatus(`The intake refused the lead: ${await problemText(response)}`, "error");
      return;
    }
    const answer = await response.json();
    const entry = answer.entries[0];
    $("lead-id").textContent = entry.eventId;
    $("progress").hidden = false;
    $("ids").hidden = true;
    showSteps(null);
    setStatus(entry.status === "Duplicate" ? "Already received; following it..." : "Received; following it...");
    await follow(entry.eventId);
  } catch (error) {
    setStatus(`The intake could not be reached: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("lead-form").addEventListener("submit", submit);
  for (const field of FIELDS) {
    $(field).addEventListener("blur", () => { if ($("checkInBrowser").checked && $(field).value) checkField(field); });
  }
});
