-- A binding made before its evidence is complete (the binding window still open, the car not read at the
-- bay after the plug-in) is tentative until it is confirmed or changed.
ALTER TABLE charging_bindings ADD COLUMN tentative BOOLEAN NOT NULL DEFAULT FALSE;
