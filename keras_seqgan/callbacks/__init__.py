"""Callbacks for SeqGAN training."""
