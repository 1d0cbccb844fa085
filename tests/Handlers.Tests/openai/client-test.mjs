// Drives the official `openai` npm client against the running handler (OPENAI_BASE_URL) and prints one JSON
// object with what it saw; OpenAiClientTests asserts on it. Exits non-zero on any unexpected failure.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'unused-behind-api-gateway', maxRetries: 0, timeout: 20000 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const chat = await client.chat.completions.create({ model: 'chat-model', messages: [{ role: 'user', content: 'ping' }] });
out.chat = { content: chat.choices[0].message.content, usage: chat.usage };

const stream = await client.chat.completions.create({
  model: 'chat-model',
  messages: [{ role: 'user', content: 'stream me' }],
  stream: true,
  stream_options: { include_usage: true },
});
let streamed = '';
let chunks = 0;
let streamUsage = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.choices.length > 0) streamed += chunk.choices[0].delta.content ?? '';
  if (chunk.usage) streamUsage = chunk.usage;
}
out.stream = { content: streamed, chunks, usage: streamUsage };

const completion = await client.completions.create({ model: 'chat-model', prompt: 'complete me' });
out.completion = completion.choices[0].text;

const embedding = await client.embeddings.create({ model: 'chat-model', input: 'embed me', encoding_format: 'float' });
out.embedding = embedding.data[0].embedding;

try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
  out.unknownModel = 'no error';
} catch (e) {
  out.unknownModel = { status: e.status, name: e.constructor.name };
}

try {
  const broken = await client.chat.completions.create({ model: 'chat-model-broken', messages: [{ role: 'user', content: 'x' }], stream: true });
  let got = '';
  for await (const chunk of broken) got += chunk.choices[0]?.delta?.content ?? '';
  out.brokenStream = { error: null, got };
} catch (e) {
  out.brokenStream = { error: e.constructor.name, message: String(e.message) };
}

console.log(JSON.stringify(out));
