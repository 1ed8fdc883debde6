-- Who placed a vehicle at a bay: the bay camera (every visit before this migration) or the charger's own bay sensor
-- (OCPP 2.0.1/2.1 BayOccupancySensor, EVDetected/EVDeparted) once binding found whose vehicle it sensed.
ALTER TABLE bay_visits ADD COLUMN source TEXT NOT NULL DEFAULT 'BayCamera';
