package io.videoshop.wallet;

import io.videoshop.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a subscriber of a wallet receives: the admission state on subscribing, then again each
 * time it changes (not on every debit: a balance that moves without changing what is allowed
 * sends nothing).
 *
 * @param wallet the entity instance that sent this: watch it and subscribe again through sharding
 *     when it stops (it moved to another node, restarted or was passivated)
 */
public record WalletUpdate(ActorRef<Wallet.Command> wallet, String tenantId, Admission admission)
    implements CborSerializable {}
