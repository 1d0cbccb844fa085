// The official `openai` npm client, with its default retries, against a model scaled to zero (OPENAI_BASE_URL, model
// OPENAI_MODEL): the first attempt gets 503 model-no-capacity with Retry-After, the client waits as told and retries.
// Prints one JSON object with what it saw (each attempt's status, the wait between them, the answer); ColdStartTests asserts.
import OpenAI from 'openai';

const attempts = [];
const recordingFetch = async (url, init) => {
  const started = Date.now();
  const response = await fetch(url, init);
  attempts.push({ at: started, status: response.status, retryAfter: response.headers.get('retry-after') });
  return response;
};

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'unused-behind-api-gateway', fetch: recordingFetch, timeout: 120000 });
const out = {};
try {
  const chat = await client.chat.completions.create({ model: process.env.OPENAI_MODEL, messages: [{ role: 'user', content: 'wake up' }] });
  out.content = chat.choices[0].message.content;
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status ?? null, message: String(e.message) };
}
out.attempts = attempts.map((a, i) => ({ status: a.status, retryAfter: a.retryAfter, waitedMs: i === 0 ? 0 : a.at - attempts[i - 1].at }));
console.log(JSON.stringify(out));
