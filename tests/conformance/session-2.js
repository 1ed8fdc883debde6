'use strict';
// A whole OCPP 2.0.1 or 2.1 charging session against ParkCharge, in ocpp-rpc strict mode (every
// message both ways checked against that version's official schemas), then the server's calls to
// the charging station are answered until stdin closes. With ocpp2.1 the station also uses what 2.1
// adds: a token type 2.0.1 does not know, 2.1 trigger reasons, operation mode, a transaction limit,
// preconditioning, and the cost it calculated itself.
// node session-2.js --url ws://127.0.0.1:PORT/ocpp --id CS-201 [--password SECRET] [--protocol ocpp2.0.1|ocpp2.1]
const { args, report, check, connect, serveUntilStdinCloses, iso, fail } = require('./common');

async function main() {
  const options = args();
  const protocol = options.protocol || 'ocpp2.0.1';
  const v21 = protocol === 'ocpp2.1';
  const only21 = (fields) => (v21 ? fields : {});
  const cs = await connect(protocol, options);
  const t0 = Date.now();
  const at = (seconds) => iso(new Date(t0 + seconds * 1000));
  const transactionId = `tx-${t0}`;
  const token = { idToken: options.token || 'RFID-201', type: 'ISO14443' };
  const evse = { id: 1, connectorId: 1 };
  const energy = (value, unit, context) => ({
    value, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit },
  });

  const boot = await cs.call('BootNotification', {
    reason: 'PowerUp',
    chargingStation: { model: 'DC-50', vendorName: 'ConformanceCo', serialNumber: 'SN-2-001', firmwareVersion: protocol.slice(4) },
  });
  check(boot.status === 'Accepted', `BootNotification answered ${boot.status}`);
  check(boot.interval > 0, 'BootNotification gave no heartbeat interval');

  await cs.call('StatusNotification', { timestamp: at(0), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  await cs.call('TransactionEvent', {
    eventType: 'Started', timestamp: at(1), triggerReason: 'CablePluggedIn', seqNo: 0,
    transactionInfo: { transactionId, chargingState: 'EVConnected', ...only21({ operationMode: 'ChargingOnly' }) }, evse,
    meterValue: [{ timestamp: at(1), sampledValue: [energy(5000, 'Wh', 'Transaction.Begin')] }],
    ...only21({ preconditioningStatus: 'NotReady', evseSleep: false }),
  });
  await cs.call('StatusNotification', { timestamp: at(1), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });

  if (v21) {
    // 2.1 lets a token type be any name up to 20 characters; the answer must still be a 2.1 answer.
    const vin = await cs.call('Authorize', { idToken: { idToken: 'WVWZZZ1JZXW000001', type: 'VIN' } });
    check(typeof vin.idTokenInfo.status === 'string', 'Authorize of a VIN gave no status');
  }

  const auth = await cs.call('Authorize', { idToken: token });
  check(auth.idTokenInfo.status === 'Accepted', `Authorize answered ${auth.idTokenInfo.status}`);

  const authorized = await cs.call('TransactionEvent', {
    eventType: 'Updated', timestamp: at(5), triggerReason: 'Authorized', seqNo: 1,
    transactionInfo: { transactionId, chargingState: 'Charging' }, idToken: token,
  });
  check(!authorized.idTokenInfo || authorized.idTokenInfo.status === 'Accepted', 'TransactionEvent refused the id token');

  await cs.call('TransactionEvent', {
    eventType: 'Updated', timestamp: at(60), triggerReason: v21 ? 'RunningCost' : 'MeterValuePeriodic', seqNo: 2,
    transactionInfo: { transactionId, ...only21({ transactionLimit: { maxEnergy: 40000, maxTime: 7200 } }) },
    meterValue: [{ timestamp: at(60), sampledValue: [energy(7.5, 'kWh', 'Sample.Periodic'), { value: 50000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } }] }],
  });
  await cs.call('NotifyEvent', {
    generatedAt: at(61), seqNo: 0,
    eventData: [{ eventId: 1, timestamp: at(61), trigger: 'Delta', actualValue: 'Charging', component: { name: 'Connector', evse }, variable: { name: 'ChargingState' }, eventNotificationType: 'HardWiredNotification' }],
  });
  const heartbeat = await cs.call('Heartbeat', {});
  check(!Number.isNaN(Date.parse(heartbeat.currentTime)), 'Heartbeat gave no currentTime');

  const ended = {
    eventType: 'Ended', timestamp: at(120), triggerReason: 'EVDeparted', seqNo: 3,
    transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    meterValue: [{ timestamp: at(120), sampledValue: [energy(12000, 'Wh', 'Transaction.End')] }],
    ...only21({
      costDetails: {
        totalCost: { currency: 'EUR', typeOfCost: 'NormalCost', energy: { exclTax: 2.1, inclTax: 2.54 }, total: { exclTax: 2.1, inclTax: 2.54 } },
        totalUsage: { energy: 7000, chargingTime: 115, idleTime: 0 },
      },
    }),
  };
  await cs.call('TransactionEvent', ended);
  await cs.call('TransactionEvent', ended); // re-sent after a lost reply: answered, nothing new
  await cs.call('StatusNotification', { timestamp: at(150), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  await cs.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: at(151), sampledValue: [energy(12000, 'Wh', 'Sample.Clock')] }] });
  await cs.call('SecurityEventNotification', { type: 'SettingSystemTime', timestamp: at(152), techInfo: 'clock set from NTP' });

  const transfer = await cs.call('DataTransfer', { vendorId: 'com.example', messageId: 'hello', data: 'x' });
  check(['UnknownVendorId', 'Accepted', 'Rejected', 'UnknownMessageId'].includes(transfer.status), 'DataTransfer answer');

  report('RESULT', { transactionId, startedAt: at(1), stoppedAt: at(120), energyWh: 7000 });

  const accepted = () => ({ status: 'Accepted' });
  serveUntilStdinCloses(cs, {
    RequestStartTransaction: (p) => ({ status: 'Accepted', transactionId: `remote-${p.remoteStartId}` }),
    RequestStopTransaction: accepted,
    ChangeAvailability: accepted,
    Reset: accepted,
    UnlockConnector: () => ({ status: 'Unlocked' }),
    TriggerMessage: accepted,
    GetVariables: (p) => ({
      getVariableResult: p.getVariableData.map((d) => ({ attributeStatus: 'Accepted', attributeValue: '300', component: d.component, variable: d.variable })),
    }),
    SetVariables: (p) => ({
      setVariableResult: p.setVariableData.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })),
    }),
    SetChargingProfile: accepted,
    ClearChargingProfile: accepted,
    GetCompositeSchedule: (p) => ({
      status: 'Accepted',
      schedule: { evseId: p.evseId, duration: p.duration, scheduleStart: iso(new Date()), chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] },
    }),
    DataTransfer: () => ({ status: 'Accepted', data: 'ok' }),
    CertificateSigned: accepted,
    UpdateFirmware: accepted,
    GetLog: () => ({ status: 'Accepted', filename: 'diagnostics.log' }),
    SendLocalList: accepted,
    GetLocalListVersion: () => ({ versionNumber: 3 }),
  });
}

main().catch((e) => fail(e && e.stack || String(e)));
