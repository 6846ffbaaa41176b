import ServiceLifecycle

/// A worker agent runs in a `ServiceGroup`: `run()` serves the protocol, and a graceful shutdown
/// drains it (every report acknowledged, then a leave) before it returns. List it before the
/// services that report through it: a group shuts its services down in reverse order, so they
/// stop reporting before the agent drains.
extension WorkerAgent: Service {}
