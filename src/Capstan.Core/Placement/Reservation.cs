namespace Capstan.Core.Placement;

/// <summary>The answer of <see cref="PlacementLedger.TryReserve"/>; <see cref="Resource"/> names what ran out.</summary>
public readonly record struct Reservation(ReservationOutcome Outcome, string? Resource = null)
{
    public static readonly Reservation Reserved = new(ReservationOutcome.Reserved);

    public static readonly Reservation AlreadyHeld = new(ReservationOutcome.AlreadyHeld);

    public static Reservation NoRoom(string resource) => new(ReservationOutcome.NoRoom, resource);
}
