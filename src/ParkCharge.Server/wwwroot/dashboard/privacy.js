// What the site keeps and for how long (settings.retention of its document; docs/privacy.md says why).
import { h, section, table } from './ui.js';

const kinds = [
  ['settledStays', 'Plates and reads of a paid, undisputed stay', 'pseudonymised this long after the exit'],
  ['unpaidStays', 'An unpaid or disputed stay', 'held until resolved, at most this long after the exit'],
  ['pictures', 'Camera pictures', 'deleted this long after they arrived'],
  ['messageLog', 'OCPP message log of the chargers', 'deleted after this'],
  ['deliveryLog', 'Webhook delivery attempts', 'deleted after this'],
  ['auditLog', 'Audit log (who did what, and why)', 'deleted after this'],
  ['pseudonymKey', 'Secret of the pseudonyms', 'replaced, and the old one destroyed, this often'],
];

export function render(ctx) {
  const settings = ctx.site.document?.settings ?? {};
  const retention = settings.retention ?? {};
  const rows = kinds.map(([key, what, rule]) => {
    const kept = key === 'pictures' && !settings.storeImages ? 'not stored (storeImages is off)' : retention[key] ?? '–';
    return [what, h('span', { class: 'period', 'data-retention': key }, kept), rule];
  });
  const { element } = section(`Privacy: ${ctx.site.name}`,
    h('p', null, 'Plates are personal data. What this site keeps, and for how long. Access and erasure requests: POST and GET /api/v1/privacy/plates/{plate} with an admin key (docs/privacy.md).'),
    table('Retention at this site', ['What', 'Kept', 'Then'], rows, { class: 'retention' }));
  return { element };
}
