// Calls the LLM the user chose, from the main thread (so the page's CSP
// connect-src applies), with plain fetch: no SDK, no extra headers that fail
// CORS preflights on OpenAI-compatible servers (https://platform.openai.com/docs/api-reference/chat).
// Streams text deltas as they arrive; cancellable through an AbortSignal.

export const PROVIDERS = {
  openai: { label: "OpenAI", base: "https://api.openai.com/v1", model: "gpt-4o-mini" },
  anthropic: { label: "Anthropic", base: "https://api.anthropic.com/v1", model: "claude-sonnet-4-5" },
  compatible: { label: "OpenAI-compatible", base: "http://localhost:11434/v1", model: "llama3.1" },
};

const FIRST_BYTE_TIMEOUT_MS = 60_000;

export class LLMError extends Error {}

function request({ provider, baseUrl, model, apiKey, system, user }) {
  const base = (baseUrl || PROVIDERS[provider].base).replace(/\/+$/, "");
  if (provider === "anthropic") {
    return {
      url: `${base}/messages`,
      headers: {
        "content-type": "application/json",
        "x-api-key": apiKey,
        "anthropic-version": "2023-06-01",
        // Required for calls from a browser page (Anthropic returns 401 without it).
        "anthropic-dangerous-direct-browser-access": "true",
      },
      body: { model, max_tokens: 4096, system, messages: [{ role: "user", content: user }], stream: true },
    };
  }
  const headers = { "content-type": "application/json" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return {
    url: `${base}/chat/completions`,
    headers,
    body: { model, stream: true, messages: [{ role: "system", content: system }, { role: "user", content: user }] },
  };
}

function errorText(status, body) {
  try {
    const data = JSON.parse(body);
    const msg = data?.error?.message ?? data?.message ?? data?.error;
    if (msg) return `${status ? `HTTP ${status}: ` : ""}${typeof msg === "string" ? msg : JSON.stringify(msg)}`;
  } catch { /* not JSON */ }
  return `${status ? `HTTP ${status}: ` : ""}${body.slice(0, 300) || "no details"}`;
}

// Text of one streamed event, or null; throws on an error event.
function deltaOf(provider, event, data) {
  if (data === "[DONE]") return null;
  const obj = JSON.parse(data);
  if (event === "error" || obj.type === "error" || obj.error) {
    throw new LLMError(errorText(0, JSON.stringify(obj.error ? obj : { error: obj })));
  }
  if (provider === "anthropic") {
    return obj.type === "content_block_delta" && obj.delta?.type === "text_delta" ? obj.delta.text : null;
  }
  return obj.choices?.[0]?.delta?.content ?? null;
}

// A non-streamed answer (some servers ignore "stream": true).
function wholeText(provider, obj) {
  if (provider === "anthropic") return (obj.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");
  return obj.choices?.[0]?.message?.content ?? "";
}

export async function* streamChat(options, signal) {
  const { url, headers, body } = request(options);
  const timer = new AbortController();
  const onAbort = () => timer.abort(signal.reason);
  if (signal?.aborted) throw new LLMError("cancelled");
  signal?.addEventListener("abort", onAbort);
  let reader = null;
  const timeout = setTimeout(() => timer.abort(new LLMError("no answer within 60 s")), FIRST_BYTE_TIMEOUT_MS);
  try {
    let res;
    try {
      res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: timer.signal,
                               credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" });
    } catch (err) {
      if (timer.signal.aborted) throw timer.signal.reason instanceof Error ? timer.signal.reason : new LLMError("cancelled");
      throw new LLMError(`could not reach ${new URL(url).origin} (${err.message}). Check the base URL, CORS, and that the page's CSP allows it.`);
    }
    clearTimeout(timeout);
    if (!res.ok) throw new LLMError(errorText(res.status, await res.text()));
    if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
      yield wholeText(options.provider, await res.json());
      return;
    }
    let buffer = "";
    reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (!data.length) continue;
        if (event === "message_stop" || data[0] === "[DONE]") return;
        const text = deltaOf(options.provider, event, data.join("\n"));
        if (text) yield text;
      }
    }
  } finally {
    clearTimeout(timeout);
    signal?.removeEventListener("abort", onAbort);
    reader?.cancel().catch(() => {}); // close the connection when we stop early
  }
}
