'use strict';
// A whole OCPP 2.1 session about cost, in ocpp-rpc strict mode: boot (the server may send the site's tariff with
// SetDefaultTariff), a transaction started on EV detection, meter values (the server may send CostUpdated), idle
// (SuspendedEV), the end on EV departure (the server may answer with totalCost), and a payment terminal's
// NotifySettlement of what the charger showed, sent twice, plus one for a transaction the server never saw. Then
// malformed NotifySettlement frames sent raw, each of which must get its 2.1 CALLERROR. A station that received a
// tariff calculates its cost itself from it (energy per kWh, charging and idle time per minute, a fixed fee, taxes,
// min/max cost; conditions are not used here) and reports it in the Ended event's costDetails.
// Times: --start (ISO) is the transaction's start; everything else follows it by fixed offsets.
// node tariff-2.1.js --url ws://127.0.0.1:PORT/ocpp --id CS-21 --password SECRET --start 2026-...Z --expect tariff|cost
const { args, report, check, connect, serveUntilStdinCloses, iso, fail } = require('./common');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The cost a station calculates from a 2.1 tariff without conditions: per kWh, per minute charging and idle, fixed, tax, limits. */
function localCost(tariff, kwh, chargingMinutes, idleMinutes) {
  const price = (part) => (part ? part.prices[0] : undefined);
  const tax = (part) => (part && part.taxRates ? part.taxRates.reduce((sum, t) => sum + t.tax, 0) : 0);
  for (const part of [tariff.energy, tariff.chargingTime, tariff.idleTime, tariff.fixedFee]) {
    check(!part || part.prices.every((p) => !p.conditions), 'this station prices tariffs without conditions only');
  }
  const parts = [
    [tariff.energy, price(tariff.energy) ? price(tariff.energy).priceKwh * kwh : 0],
    [tariff.chargingTime, price(tariff.chargingTime) ? price(tariff.chargingTime).priceMinute * chargingMinutes : 0],
    [tariff.idleTime, price(tariff.idleTime) ? price(tariff.idleTime).priceMinute * idleMinutes : 0],
    [tariff.fixedFee, price(tariff.fixedFee) ? price(tariff.fixedFee).priceFixed : 0],
  ];
  let excl = parts.reduce((sum, [, amount]) => sum + amount, 0);
  let incl = parts.reduce((sum, [part, amount]) => sum + amount * (1 + tax(part) / 100), 0);
  if (tariff.maxCost) { excl = Math.min(excl, tariff.maxCost.exclTax); incl = Math.min(incl, tariff.maxCost.inclTax); }
  if (tariff.minCost) { excl = Math.max(excl, tariff.minCost.exclTax); incl = Math.max(incl, tariff.minCost.inclTax); }
  const cents = (x) => Math.round(x * 100 + 1e-9) / 100;
  return { exclTax: cents(excl), inclTax: cents(incl) };
}

async function main() {
  const options = args();
  const expect = options.expect || 'cost';
  const t0 = Date.parse(options.start);
  check(!Number.isNaN(t0), 'missing or bad --start');
  const at = (seconds) => iso(new Date(t0 + seconds * 1000));
  const cs = await connect('ocpp2.1', options);
  const transactionId = `tx21-${t0}`;
  const token = { idToken: 'RFID-21', type: 'ISO14443' };
  const evse = { id: 1, connectorId: 1 };
  const energy = (wh, context) => ({ value: wh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } });

  // Calls from the server, recorded (and reported as CALL lines) from the start: the tariff may come right after the boot.
  let tariff = null;
  const costUpdates = [];
  serveUntilStdinCloses(cs, {
    SetDefaultTariff: (p) => { tariff = p.tariff; check(p.evseId === 0, `SetDefaultTariff for EVSE ${p.evseId}, wanted 0 (all)`); return { status: 'Accepted' }; },
    CostUpdated: (p) => { costUpdates.push(p); check(p.transactionId === transactionId, `CostUpdated for ${p.transactionId}`); return {}; },
    GetTariffs: () => (tariff
      ? { status: 'Accepted', tariffAssignments: [{ tariffId: tariff.tariffId, tariffKind: 'DefaultTariff', evseIds: [1] }] }
      : { status: 'NoTariff' }),
    ClearTariffs: () => { const id = tariff && tariff.tariffId; tariff = null; return { clearTariffsResult: [{ tariffId: id || undefined, status: id ? 'Accepted' : 'NoTariff' }] }; },
  });

  // A station told the cost gets one CostUpdated per meter value here (they are over a minute apart and the cost moves);
  // it waits for it, as the server sends one at a time.
  const costed = async (send) => {
    const before = costUpdates.length;
    const answer = await send();
    if (expect === 'cost') {
      for (let i = 0; i < 200 && costUpdates.length === before; i++) await sleep(50);
      check(costUpdates.length > before, `no CostUpdated after the meter value of seqNo ${costUpdates.length}`);
    }
    return answer;
  };
  const sample = (seqNo, seconds, wh, extra = {}) => costed(() => cs.call('TransactionEvent', {
    eventType: 'Updated', timestamp: at(seconds), triggerReason: 'MeterValuePeriodic', seqNo,
    transactionInfo: { transactionId, ...extra },
    meterValue: [{ timestamp: at(seconds), sampledValue: [energy(wh, 'Sample.Periodic')] }],
  }));

  const boot = await cs.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'DC-21', vendorName: 'ConformanceCo', firmwareVersion: '2.1' } });
  check(boot.status === 'Accepted', `BootNotification answered ${boot.status}`);
  if (expect === 'tariff') {
    for (let i = 0; i < 200 && !tariff; i++) await sleep(50);
    check(tariff !== null, 'no SetDefaultTariff after the boot');
  }

  await cs.call('StatusNotification', { timestamp: at(0), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  await costed(() => cs.call('TransactionEvent', { // the session fee is due from the start
    eventType: 'Started', timestamp: at(0), triggerReason: 'EVDetected', seqNo: 0,
    transactionInfo: { transactionId, chargingState: 'EVConnected', ...(tariff ? { tariffId: tariff.tariffId } : {}) }, evse,
    meterValue: [{ timestamp: at(0), sampledValue: [energy(0, 'Transaction.Begin')] }],
  }));
  await cs.call('TransactionEvent', {
    eventType: 'Updated', timestamp: at(5), triggerReason: 'Authorized', seqNo: 1,
    transactionInfo: { transactionId, chargingState: 'Charging' }, idToken: token,
  });
  await sample(2, 65, 2000);
  await sample(3, 185, 6000);
  await costed(() => cs.call('TransactionEvent', {
    eventType: 'Updated', timestamp: at(245), triggerReason: 'ChargingStateChanged', seqNo: 4,
    transactionInfo: { transactionId, chargingState: 'SuspendedEV' },
    meterValue: [{ timestamp: at(245), sampledValue: [energy(6500, 'Sample.Periodic')] }],
  }));
  await sample(5, 365, 6500);

  // Charging 5 s → 245 s (240 s), not charging 0 → 5 s and 245 s → 425 s (185 s), 6.5 kWh.
  const own = tariff ? localCost(tariff, 6.5, 240 / 60, 185 / 60) : null;
  const ended = await cs.call('TransactionEvent', {
    eventType: 'Ended', timestamp: at(425), triggerReason: 'EVDeparted', seqNo: 6,
    transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    meterValue: [{ timestamp: at(425), sampledValue: [energy(6500, 'Transaction.End')] }],
    ...(own ? {
      costDetails: {
        totalCost: { currency: tariff.currency, typeOfCost: 'NormalCost', total: own },
        totalUsage: { energy: 6500, chargingTime: 240, idleTime: 185 },
      },
    } : {}),
  });
  await cs.call('StatusNotification', { timestamp: at(430), connectorStatus: 'Available', evseId: 1, connectorId: 1 });

  // The terminal settles what the charger showed: its own calculation, or the server's total.
  const shown = own ? own.inclTax : ended.totalCost;
  check(typeof shown === 'number', 'the station has no cost to settle: neither a tariff nor a totalCost');
  const settlement = { transactionId, pspRef: `psp-${t0}`, status: 'Settled', settlementAmount: shown, settlementTime: at(440), receiptId: 'R-1' };
  await cs.call('NotifySettlement', settlement);
  await cs.call('NotifySettlement', settlement); // the terminal's retry: one payment
  await cs.call('NotifySettlement', { ...settlement, transactionId: 'tx-never-seen', pspRef: `psp-lost-${t0}`, settlementAmount: 3.5 });

  // Malformed settlements, sent raw: each gets its CALLERROR and the connection goes on.
  cs.removeAllListeners('badMessage');
  const errors = new Map();
  cs.on('message', ({ message, outbound }) => {
    if (outbound) return;
    try { const frame = JSON.parse(String(message)); if (frame[0] === 4) errors.set(frame[1], frame); } catch { /* not ours */ }
  });
  const malformed = [
    ['settlement without pspRef', '[2,"ns-1","NotifySettlement",{"status":"Settled","settlementAmount":1,"settlementTime":"2026-01-01T00:00:00Z"}]', 'ns-1', 'OccurrenceConstraintViolation'],
    ['settlement amount as text', '[2,"ns-2","NotifySettlement",{"pspRef":"p","status":"Settled","settlementAmount":"1.00","settlementTime":"2026-01-01T00:00:00Z"}]', 'ns-2', 'TypeConstraintViolation'],
    ['settlement status not in 2.1', '[2,"ns-3","NotifySettlement",{"pspRef":"p","status":"Paid","settlementAmount":1,"settlementTime":"2026-01-01T00:00:00Z"}]', 'ns-3', 'PropertyConstraintViolation'],
    ['settlement pspRef over 255 characters', `[2,"ns-4","NotifySettlement",{"pspRef":"${'p'.repeat(256)}","status":"Settled","settlementAmount":1,"settlementTime":"2026-01-01T00:00:00Z"}]`, 'ns-4', 'PropertyConstraintViolation'],
  ];
  const refusals = [];
  for (const [name, raw, id, code] of malformed) {
    cs.sendRaw(raw);
    for (let i = 0; i < 100 && !errors.has(id); i++) await sleep(50);
    check(errors.has(id), `${name}: no CALLERROR`);
    refusals.push({ case: name, expected: code, got: errors.get(id)[2] });
    check(errors.get(id)[2] === code, `${name}: expected ${code}, got ${errors.get(id)[2]} (${errors.get(id)[3]})`);
  }
  await cs.call('Heartbeat', {});

  report('RESULT', {
    transactionId, start: at(0), tariff, costUpdates, totalCost: ended.totalCost === undefined ? null : ended.totalCost,
    localCost: own, settled: shown, pspRef: settlement.pspRef, lostPspRef: `psp-lost-${t0}`, refusals,
  });
}

main().catch((e) => fail(e && e.stack || String(e)));
