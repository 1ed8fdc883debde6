-- Cluster membership for Orleans' ADO.NET clustering (docs/operators.md#running-a-cluster). Orleans reads and
-- writes only through the queries named in orleansquery, by their parameter and column names; the tables are
-- written by Orleans alone. Conditional writes: a membership change bumps the deployment's version only when
-- the caller saw the current one, and changes the silo's row in the same transaction, or nothing at all.
-- Unquoted names are folded to lower case; Orleans reads columns by name, whatever their case.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey varchar(64) NOT NULL PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);

CREATE TABLE orleansmembershipversiontable (
    deploymentid varchar(150) NOT NULL PRIMARY KEY,
    timestamp timestamptz(3) NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 0
);

CREATE TABLE orleansmembershiptable (
    deploymentid varchar(150) NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address varchar(45) NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    siloname varchar(150) NOT NULL,
    hostname varchar(150) NOT NULL,
    status integer NOT NULL,
    proxyport integer NULL,
    suspecttimes varchar(8000) NULL,
    starttime timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- A silo's row inserted with the version moved on, or neither (0).
CREATE FUNCTION parkcharge_orleans_insert_member(
    d varchar, a varchar, p integer, g integer, silo varchar, host varchar, s integer, proxy integer,
    started timestamptz, alive timestamptz, seen integer) RETURNS integer AS $body$
BEGIN
    UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now()
        WHERE deploymentid = d AND version = seen;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
        VALUES (d, a, p, g, silo, host, s, proxy, started, alive)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'member exists' USING ERRCODE = 'P0001';
    END IF;
    RETURN 1;
EXCEPTION WHEN raise_exception THEN
    RETURN 0; -- the block's changes (the version) are rolled back
END
$body$ LANGUAGE plpgsql;

-- A silo's row changed with the version moved on, or neither (0).
CREATE FUNCTION parkcharge_orleans_update_member(
    d varchar, a varchar, p integer, g integer, s integer, suspects varchar, alive timestamptz, seen integer) RETURNS integer AS $body$
BEGIN
    UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now()
        WHERE deploymentid = d AND version = seen;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE orleansmembershiptable SET status = s, suspecttimes = suspects, iamalivetime = alive
        WHERE deploymentid = d AND address = a AND port = p AND generation = g;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such member' USING ERRCODE = 'P0001';
    END IF;
    RETURN 1;
EXCEPTION WHEN raise_exception THEN
    RETURN 0;
END
$body$ LANGUAGE plpgsql;

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey',
 'WITH inserted AS (INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (@DeploymentId) ON CONFLICT DO NOTHING RETURNING 1)
  SELECT count(*)::integer FROM inserted'),
('InsertMembershipKey',
 'SELECT parkcharge_orleans_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
('UpdateMembershipKey',
 'SELECT parkcharge_orleans_update_member(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
('UpdateIAmAlivetimeKey',
 'UPDATE orleansmembershiptable SET iamalivetime = @IAmAliveTime
  WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),
('MembershipReadRowKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport, m.suspecttimes,
         m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
  WHERE v.deploymentid = @DeploymentId'),
('MembershipReadAllKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport, m.suspecttimes,
         m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
  WHERE v.deploymentid = @DeploymentId'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
  DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId'),
('GatewaysQueryKey',
 'SELECT address, proxyport, generation FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime
    AND coalesce(suspecttimes, '''') = '''' AND status = 6'),
('CleanupDefunctSiloEntryKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = 6 AND address = @Address AND port = @Port AND generation = @Generation
    AND iamalivetime = @IAmAliveTime AND starttime = @StartTime
    AND coalesce(suspecttimes, '''') = coalesce(@SuspectTimes, '''')');
