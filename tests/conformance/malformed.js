'use strict';
// Bad frames sent raw to ParkCharge: each must get the CALLERROR code of the connection's OCPP
// version, and the connection must survive (a normal call afterwards is answered). With ocpp2.1,
// also 2.1's own rules: an unknown message type, an overlong message id, and frames that are never
// answered at all (a SEND, valid or not, and a CALLRESULTERROR).
// node malformed.js --url ws://127.0.0.1:PORT/ocpp --id CP-X --protocol ocpp1.6|ocpp2.0.1|ocpp2.1 [--password SECRET]
const { args, report, check, connect, fail } = require('./common');

async function main() {
  const options = args();
  const protocol = options.protocol || 'ocpp1.6';
  const v16 = protocol === 'ocpp1.6';
  const v21 = protocol === 'ocpp2.1';
  const cp = await connect(protocol, options);
  cp.removeAllListeners('badMessage'); // the answers to raw frames answer no call of the client's own

  const replies = new Map();
  cp.on('message', ({ message, outbound }) => {
    if (outbound) return;
    try {
      const frame = JSON.parse(String(message));
      if (frame[0] === 4 || frame[0] === 5) replies.set(frame[1], frame);
    } catch { /* not ours to judge */ }
  });
  const waitFor = async (id) => {
    for (let i = 0; i < 100 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 50));
    if (!replies.has(id)) fail(`no CALLERROR for message ${id}`);
    return replies.get(id);
  };

  const cases = [
    { name: 'invalid JSON', raw: '[2, "bad-json", "Heartbeat", {', id: '-1', code: v16 ? 'FormationViolation' : 'RpcFrameworkError' },
    { name: 'unknown action', raw: '[2,"m-unknown","FlyToTheMoon",{}]', id: 'm-unknown', code: 'NotImplemented' },
    { name: 'missing required field', raw: v16 ? '[2,"m-required","BootNotification",{"chargePointVendor":"X"}]' : '[2,"m-required","BootNotification",{"reason":"PowerUp"}]', id: 'm-required', code: v16 ? 'OccurenceConstraintViolation' : 'OccurrenceConstraintViolation' },
    { name: 'wrong type', raw: v16 ? '[2,"m-type","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]' : '[2,"m-type","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Available","evseId":"one","connectorId":1}]', id: 'm-type', code: 'TypeConstraintViolation' },
    { name: 'bad enum value', raw: v16 ? '[2,"m-enum","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Exploded"}]' : '[2,"m-enum","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Exploded","evseId":1,"connectorId":1}]', id: 'm-enum', code: 'PropertyConstraintViolation' },
    { name: 'payload not an object', raw: '[2,"m-shape","Heartbeat",[]]', id: 'm-shape', code: v16 ? 'FormationViolation' : 'FormatViolation' },
  ];
  if (v21) {
    const longId = 'x'.repeat(37);
    cases.push(
      { name: 'unknown message type', raw: '[7,"m-type7","Heartbeat",{}]', id: 'm-type7', code: 'MessageTypeNotSupported' },
      { name: 'message id over 36 characters', raw: `[2,"${longId}","Heartbeat",{}]`, id: longId, code: 'FormatViolation' },
      { name: 'evseId below the 2.1 minimum', raw: '[2,"m-min","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Available","evseId":-1,"connectorId":1}]', id: 'm-min', code: 'PropertyConstraintViolation' },
    );
  }

  for (const c of cases) {
    cp.sendRaw(c.raw);
    const reply = await waitFor(c.id);
    report('RESULT', { case: c.name, expected: c.code, got: reply[2] });
    check(reply[2] === c.code, `${c.name}: expected ${c.code}, got ${reply[2]} (${reply[3]})`);
    check(typeof reply[3] === 'string' && reply[3].length > 0, `${c.name}: no error description`);
  }

  if (v21) {
    // Never answered, not even with an error: a SEND (valid or not) and a CALLRESULTERROR.
    const silent = [
      ['valid SEND', '[6,"s-ok","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-01-01T00:00:00Z","data":[{"t":0,"v":"230.1"}]}]', 's-ok'],
      ['invalid SEND', '[6,"s-bad","NotifyPeriodicEventStream",{"id":1}]', 's-bad'],
      ['CALLRESULTERROR', '[5,"r-1","FormatViolation","could not read your answer",{}]', 'r-1'],
    ];
    for (const [, raw] of silent) cp.sendRaw(raw);
    await cp.call('Heartbeat', {}); // answered in order: anything owed to the frames above came before
    for (const [name, , id] of silent) {
      report('RESULT', { case: name, expected: 'no answer', got: replies.has(id) ? replies.get(id)[2] : 'no answer' });
      check(!replies.has(id), `${name} was answered: ${JSON.stringify(replies.get(id))}`);
    }
  }

  const heartbeat = await cp.call('Heartbeat', {});
  check(!Number.isNaN(Date.parse(heartbeat.currentTime)), 'the connection did not survive the bad frames');
  console.log('SURVIVED');
  await cp.close({ code: 1000 });
  process.exit(0);
}

main().catch((e) => fail(e && e.stack || String(e)));
