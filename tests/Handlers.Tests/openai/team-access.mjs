// The official `openai` npm client with an API key (OPENAI_API_KEY, sent as `Authorization: Bearer`) through the test's API
// Gateway stand-in (OPENAI_BASE_URL) to the handler with team access. OPENAI_SCENARIO picks what to do:
//   chat      a chat, a stream without stream_options (the usage chunk must not reach it) and one with include_usage;
//   call      one chat, with the client's default retries;
// and prints one JSON object with what it saw, each attempt's status and headers included; TeamAccessTests asserts.
import OpenAI from 'openai';

const attempts = [];
const recordingFetch = async (url, init) => {
  const started = Date.now();
  const response = await fetch(url, init);
  const headers = {};
  for (const name of ['retry-after', 'x-should-retry', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests',
    'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens']) {
    if (response.headers.get(name) !== null) headers[name] = response.headers.get(name);
  }
  attempts.push({ at: started, status: response.status, headers });
  return response;
};

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, fetch: recordingFetch, timeout: 90000 });
const model = process.env.OPENAI_MODEL;
const out = {};

async function streamed(options) {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'stream me' }], stream: true, ...options });
  let content = '';
  let usage = null;
  let usageChunks = 0;
  for await (const chunk of stream) {
    if (chunk.choices.length > 0) content += chunk.choices[0].delta.content ?? '';
    if (chunk.usage) {
      usage = chunk.usage;
      usageChunks++;
    }
  }
  return { content, usage, usageChunks };
}

try {
  if (process.env.OPENAI_SCENARIO === 'chat') {
    const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 50 });
    out.chat = { content: chat.choices[0].message.content, usage: chat.usage };
    out.plainStream = await streamed({});
    out.usageStream = await streamed({ stream_options: { include_usage: true } });
  } else {
    const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 50 });
    out.content = chat.choices[0].message.content;
  }
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status ?? null, type: e.error?.type ?? null, message: String(e.message) };
}
out.attempts = attempts.map((a, i) => ({ status: a.status, headers: a.headers, waitedMs: i === 0 ? 0 : a.at - attempts[i - 1].at }));
console.log(JSON.stringify(out));
