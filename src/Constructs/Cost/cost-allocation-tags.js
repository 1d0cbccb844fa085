// Activates the platform's cost-allocation tags and reports those still inactive (docs/cost.md). Runs on a schedule:
// billing learns a tag up to 24 h after its first use, so an activation at deploy time mostly fails.
const ce = require('@aws-sdk/client-cost-explorer');
const client = new ce.CostExplorerClient({});
const keys = process.env.TAG_KEYS.split(',');

const log = (level, fields) => console.log(JSON.stringify({ level, ...fields }));

// Embedded Metric Format: CloudWatch Logs turns this line into the metrics the platform's alarms watch.
function emit(values) {
  const metrics = Object.keys(values).map((name) => ({ Name: name, Unit: 'Count' }));
  console.log(JSON.stringify({
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: process.env.METRIC_NAMESPACE, Dimensions: [['Platform']], Metrics: metrics }] },
    Platform: process.env.PLATFORM,
    ...values,
  }));
}

const denied = (e) => e?.name === 'AccessDeniedException';

async function listTags() {
  const tags = [];
  let NextToken;
  do {
    const page = await client.send(new ce.ListCostAllocationTagsCommand({ TagKeys: keys, Type: 'UserDefined', NextToken }));
    tags.push(...(page.CostAllocationTags ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return tags;
}

exports.handler = async () => {
  try {
    const tags = await listTags();
    const status = new Map(tags.map((t) => [t.TagKey, t.Status]));
    const toActivate = keys.filter((k) => status.get(k) === 'Inactive');
    const failed = new Map();
    if (toActivate.length > 0) {
      const result = await client.send(new ce.UpdateCostAllocationTagsStatusCommand({
        CostAllocationTagsStatus: toActivate.map((k) => ({ TagKey: k, Status: 'Active' })),
      }));
      // A 200 answer still lists the tags it could not activate.
      for (const e of result.Errors ?? []) failed.set(e.TagKey, `${e.Code}: ${e.Message}`);
    }
    const inactive = [];
    for (const tag of keys) {
      if (status.get(tag) === 'Active') log('info', { tag, status: 'active' });
      else if (failed.has(tag)) { inactive.push(tag); log('warn', { tag, status: 'activation-failed', error: failed.get(tag), retry: 'next run' }); }
      else if (status.has(tag)) log('info', { tag, status: 'activated' });
      else { inactive.push(tag); log('warn', { tag, status: 'unknown-to-billing', detail: 'billing lists a tag up to 24 hours after a resource first carries it', retry: 'next run' }); }
    }
    emit({ CostAllocationTagsInactive: inactive.length, CostAllocationTagsAccessDenied: 0 });
    return { inactive };
  } catch (e) {
    if (!denied(e)) throw e;
    log('error', {
      status: 'access-denied',
      error: e.message,
      action: `In an AWS Organizations member account only the management account can activate cost allocation tags: ask it to activate ${keys.join(', ')} (Billing console, Cost allocation tags), then set CostGuardProps.ActivateCostAllocationTags = false.`,
    });
    emit({ CostAllocationTagsAccessDenied: 1 });
    return { denied: true };
  }
};
