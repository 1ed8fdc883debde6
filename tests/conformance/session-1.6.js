'use strict';
// A whole OCPP 1.6J charging session against ParkCharge, in ocpp-rpc strict mode, then the
// server's calls to the charger are answered until stdin closes.
// node session-1.6.js --url ws://127.0.0.1:PORT/ocpp --id CP-16 [--password SECRET]
const { args, report, check, connect, serveUntilStdinCloses, iso, fail } = require('./common');

async function main() {
  const options = args();
  const cp = await connect('ocpp1.6', options);
  const t0 = Date.now();
  const at = (seconds) => iso(new Date(t0 + seconds * 1000));

  const boot = await cp.call('BootNotification', {
    chargePointVendor: 'ConformanceCo', chargePointModel: 'AC-22', chargePointSerialNumber: 'SN-16-001', firmwareVersion: '1.6.0',
  });
  check(boot.status === 'Accepted', `BootNotification answered ${boot.status}`);
  check(boot.interval > 0, 'BootNotification gave no heartbeat interval');

  await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: at(0) });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(0) });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: at(1) });

  const auth = await cp.call('Authorize', { idTag: 'RFID-16' });
  check(auth.idTagInfo.status === 'Accepted', `Authorize answered ${auth.idTagInfo.status}`);

  const startRequest = { connectorId: 1, idTag: 'RFID-16', meterStart: 10000, timestamp: at(2) };
  const start = await cp.call('StartTransaction', startRequest);
  check(Number.isInteger(start.transactionId), 'StartTransaction gave no transaction id');
  // The reply is "lost": the charger sends the same StartTransaction again with a new message id.
  const again = await cp.call('StartTransaction', startRequest);
  check(again.transactionId === start.transactionId, `re-sent StartTransaction got ${again.transactionId}, first got ${start.transactionId}`);

  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: at(3) });
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId: start.transactionId,
    meterValue: [{
      timestamp: at(60),
      sampledValue: [
        { value: '12.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
        { value: '11.04', measurand: 'Power.Active.Import', unit: 'kW' },
        { value: '48', measurand: 'SoC', unit: 'Percent', location: 'EV' },
      ],
    }],
  });
  const heartbeat = await cp.call('Heartbeat', {});
  check(!Number.isNaN(Date.parse(heartbeat.currentTime)), 'Heartbeat gave no currentTime');
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'SuspendedEV', timestamp: at(90) });

  const stopRequest = {
    transactionId: start.transactionId, idTag: 'RFID-16', meterStop: 21750, timestamp: at(120), reason: 'EVDisconnected',
    transactionData: [{ timestamp: at(120), sampledValue: [{ value: '21750', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Transaction.End' }] }],
  };
  const stop = await cp.call('StopTransaction', stopRequest);
  check(!stop.idTagInfo || stop.idTagInfo.status === 'Accepted', 'StopTransaction refused the id tag');
  await cp.call('StopTransaction', stopRequest); // re-sent after a lost reply: accepted, nothing new
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: at(121) });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(150) });

  const transfer = await cp.call('DataTransfer', { vendorId: 'com.example', messageId: 'hello', data: 'x' });
  check(['UnknownVendorId', 'Accepted', 'Rejected', 'UnknownMessageId'].includes(transfer.status), 'DataTransfer answer');

  report('RESULT', { transactionId: String(start.transactionId), startedAt: startRequest.timestamp, stoppedAt: stopRequest.timestamp, energyWh: 11750 });

  const accepted = () => ({ status: 'Accepted' });
  serveUntilStdinCloses(cp, {
    RemoteStartTransaction: accepted,
    RemoteStopTransaction: accepted,
    ChangeAvailability: accepted,
    Reset: accepted,
    UnlockConnector: () => ({ status: 'Unlocked' }),
    GetConfiguration: () => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: [] }),
    ChangeConfiguration: accepted,
    TriggerMessage: accepted,
    SetChargingProfile: accepted,
    ClearChargingProfile: accepted,
    GetCompositeSchedule: (p) => ({
      status: 'Accepted', connectorId: p.connectorId, scheduleStart: iso(new Date()),
      chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] },
    }),
    DataTransfer: () => ({ status: 'Accepted', data: 'ok' }),
    UpdateFirmware: () => ({}),
    GetDiagnostics: () => ({ fileName: 'diagnostics.zip' }),
    SendLocalList: accepted,
    GetLocalListVersion: () => ({ listVersion: 3 }),
    GetLog: () => ({ status: 'Accepted', filename: 'security.log' }),
  });
}

main().catch((e) => fail(e && e.stack || String(e)));
