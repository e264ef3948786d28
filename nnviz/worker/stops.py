"""When training pauses by itself (a stop condition met, divergence, a network that can
no longer learn): its own module as these are the rules the user reads in the messages."""

from __future__ import annotations


class StopChecks:
    """Mixin of TrainingWorker; plain methods, called from its slots in the worker thread."""

    _told_stuck = ""             # the "can no longer learn" message already shown

    def _arm_stop_conditions(self) -> None:
        """Take the settings' stop conditions for this run, those not already met: Play at
        epoch 150 with a limit of 100, or below the target loss, just trains on."""
        t, cfg = self.trainer, self.trainer.config
        self.epoch_limit = cfg.stop_epoch if cfg.stop_epoch > t.epoch else 0
        self.target_loss = cfg.stop_loss if not t.test_loss <= cfg.stop_loss else 0.0

    def _stop_reason(self) -> str:
        """Why an armed stop condition now holds, in words; "" while none does."""
        t = self.trainer
        if self.epoch_limit and t.epoch >= self.epoch_limit:
            return "the epoch limit set under Training"
        # the target is checked where the kernel checks it, at the end of an epoch
        if self.target_loss and t.batch == 0 and t.test_loss <= self.target_loss:
            return f"the test loss {t.test_loss:.4g} reached the target {self.target_loss:g} set under Training"
        return ""

    def _check_divergence(self) -> bool:
        message = self.trainer.diverged
        if message:
            self._pause_quietly()
            self.message_posted.emit(message)
        return bool(message)

    def _check_stuck(self) -> bool:
        """Pause once when the network is found unable to learn, and say why; Play then
        trains on, as the user may want to watch anyway."""
        message = self.trainer.stuck
        if not message or message == self._told_stuck:
            return False
        self._told_stuck = message
        self._pause_quietly()
        self.message_posted.emit(message)
        return True
