namespace Capstan.Core.Placement;

public enum ReservationOutcome
{
    /// <summary>The pod's requests are now held on the node; the caller must commit or release them.</summary>
    Reserved,

    /// <summary>The pod already holds (or is binding to) this node; nothing was added.</summary>
    AlreadyHeld,

    /// <summary>The node has no room left for the pod; nothing was added.</summary>
    NoRoom,
}
