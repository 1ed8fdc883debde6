[assembly: AssemblyFixture(typeof(ParkCharge.Testing.PostgresServer))]

// Nodes started by tests log to the console; the output belongs to the test that started the node and is shown
// with that test's result when it fails, instead of burying the failures in the suite's output.
[assembly: CaptureConsole]
