// Every test class here starts a whole system of its own (broker, Redis, five services) and a Chromium: at most two
// run at a time, so on a two-core machine they, and the test assemblies running beside them, are not starved.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
