import CNNG

/// The version of the linked libnng, as nng reports it at run time.
public var nngLibraryVersion: String { String(cString: nng_version()) }
