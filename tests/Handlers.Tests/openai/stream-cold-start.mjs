// The official `openai` npm client streaming from a model scaled to zero (OPENAI_BASE_URL, model OPENAI_MODEL): the
// handler wakes the model and holds the stream with SSE comment keep-alives, which the client skips, until the copy
// answers. Prints one JSON object with what it saw (each HTTP attempt's status, the chunks' content and model).
import OpenAI from 'openai';

const attempts = [];
const recordingFetch = async (url, init) => {
  const response = await fetch(url, init);
  attempts.push({ status: response.status });
  return response;
};

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'unused-behind-api-gateway', fetch: recordingFetch, timeout: 120000 });
const out = { content: '', models: [] };
try {
  const stream = await client.chat.completions.create({ model: process.env.OPENAI_MODEL, stream: true, messages: [{ role: 'user', content: 'wake up' }] });
  for await (const chunk of stream) {
    out.models.push(chunk.model);
    out.content += chunk.choices[0]?.delta?.content ?? '';
  }
} catch (e) {
  out.error = { name: e.constructor.name, status: e.status ?? null, message: String(e.message) };
}
out.attempts = attempts;
console.log(JSON.stringify(out));
