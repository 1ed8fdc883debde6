[assembly: AssemblyFixture(typeof(ParkCharge.Testing.PostgresServer))]
