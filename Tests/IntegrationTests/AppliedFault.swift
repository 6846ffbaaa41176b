/// A fault in place on a ``NetworkLab``'s links; ``NetworkLab/remove(_:)`` takes it away.
struct AppliedFault {
    let fault: NetworkFault
    /// How the fault was imposed, named precisely enough to reproduce it by hand: the tests log it.
    let mechanism: String
    /// The commands that undo it, run in order.
    let undo: [[String]]
    /// For a netfilter delay: the NFQUEUE holder of each namespace.
    let holders: [CurriculumProcess]
}
