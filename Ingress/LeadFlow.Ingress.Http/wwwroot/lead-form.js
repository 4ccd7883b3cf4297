// The lead form: browser checks that mirror the server's rules (LeadFlow.Leads), a POST of the bare lead to
// /events, then a poll of GET /leads/{leadId} until the workflow has finished. No build step, no dependencies.
"use strict";

const STEPS = ["ReceiveLead", "CreateClient", "CreatePartner", "CreateBenefit"];
const POLL_MS = 500;
const MAIL_PATTERN = /^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$/;

// Mod-11 check digit of a RUT body: weights 2..7 from the right; 11 -> 0, 10 -> K.
function rutCheckDigit(body) {
  let sum = 0;
  let weight = 2;
  for (let i = body.length - 1; i >= 0; i--) {
    sum += Number(body[i]) * weight;
    weight = weight === 7 ? 2 : weight + 1;
  }
  const digit = 11 - (sum % 11);
  return digit === 11 ? "0" : digit === 10 ? "K" : String(digit);
}

function checkRut(value) {
  if (!value.trim()) return "is required";
  if (value.length > 16) return "must be at most 16 characters";
  const compact = value.trim().replace(/[.-]/g, "").toUpperCase().replace(/^0+/, "");
  if (!/^\d{1,8}[\dK]$/.test(compact)) return "must be digits followed by a check digit 0-9 or K, e.g. 12.345.678-5";
  const expected = rutCheckDigit(compact.slice(0, -1));
  return compact.slice(-1) === expected ? "" : `check digit does not match the number (mod-11 gives ${expected})`;
}

function checkText(value, max) {
  if (!value.trim()) return "is required";
  if (value.trim().length > max) return `must be at most ${max} characters`;
  return /[\u0000-\u001f\u007f]/.test(value) ? "must not contain control characters" : "";
}

function checkPhone(value) {
  const text = checkText(value, 24);
  if (text) return text;
  if (!/^[\d +\-()]+$/.test(value.trim())) return "may contain only digits, spaces and + - ( )";
  const digits = value.replace(/\D/g, "").length;
  return digits < 8 || digits > 15 ? "must have 8 to 15 digits" : "";
}

function checkMail(value) {
  return checkText(value, 254) || (MAIL_PATTERN.test(value.trim()) ? "" : "must be an e-mail address like name@example.com");
}

const CHECKS = {
  name: (v) => checkText(v, 100),
  lastname: (v) => checkText(v, 100),
  rut: checkRut,
  phone: checkPhone,
  mail: checkMail,
  store: (v) => checkText(v, 64),
};

const $ = (id) => document.getElementById(id);

function showFieldError(field, message) {
  const input = $(field);
  $(`${field}-error`).textContent = message ? `${input.labels[0].textContent} ${message}.` : "";
  input.setAttribute("aria-invalid", message ? "true" : "false");
}

function checkField(field) {
  const message = CHECKS[field]($(field).value);
  showFieldError(field, message);
  return message;
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
    const invalid = Object.keys(CHECKS).filter((field) => checkField(field));
    if (invalid.length > 0) {
      setStatus(`Please correct ${invalid.length} field(s) before sending.`, "error");
      $(invalid[0]).focus();
      return;
    }
  } else {
    Object.keys(CHECKS).forEach((field) => showFieldError(field, ""));
  }

  const lead = Object.fromEntries(Object.keys(CHECKS).map((field) => [field, $(field).value.trim()]));
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
  for (const field of Object.keys(CHECKS)) {
    $(field).addEventListener("blur", () => { if ($("checkInBrowser").checked && $(field).value) checkField(field); });
  }
});
