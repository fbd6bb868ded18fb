"""Auto-encoders, VAE and GAN: each training step lowers its loss, the measured targets hold, and
collapse or divergence is reported."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.models.autoencoder import VAE, AutoEncoder, corrupt, psnr, vae_loss
from glassnet.models.gan import GAN, GANTrainer, GANTrainingStopped
from glassnet.models.generative_metrics import energy_distance, mmd_rbf, modes_covered, ring_of_gaussians
from glassnet.models.generative_training import fit_unsupervised, reconstruction_loss, variational_loss

pytest.importorskip("sklearn")


def digits():
    from glassnet.models.generative_experiments import load_digits_01
    return load_digits_01()


def test_autoencoder_and_vae_training_lowers_their_losses():
    X, _ = digits()
    gn.manual_seed(0)
    ae = AutoEncoder(64, hidden=(32,), bottleneck=4)
    curve = fit_unsupervised(ae, X[:500], reconstruction_loss(), epochs=5, rng=0, verbose=0)
    assert curve[-1] < curve[0]
    vae = VAE(64, hidden=(32,), latent=2, rng=0)
    curve = fit_unsupervised(vae, X[:500], variational_loss, epochs=5, lr=2e-3, rng=0, verbose=0)
    assert curve[-1] < curve[0]
    assert vae.sample(3, rng=0).shape == (3, 64)


def test_vae_loss_is_reconstruction_plus_the_gaussian_kl():
    x = np.float32([[0.0, 1.0]])
    logits, mu, log_var = gn.tensor([[0.0, 0.0]]), gn.tensor([[1.0]]), gn.tensor([[0.0]])
    expected = 2 * np.log(2) + 0.5  # BCE(σ(0)) per feature, KL = ½(μ² + σ² - log σ² - 1)
    assert vae_loss(logits, mu, log_var, x).item() == pytest.approx(expected, rel=1e-5)


def test_denoising_autoencoder_improves_psnr_by_3_db(tmp_path):
    from glassnet.models.generative_experiments import denoising
    result = denoising("gaussian", 0.3, epochs=30, out_dir=str(tmp_path), verbose=0)
    assert result["psnr_denoised"] - result["psnr_noisy"] >= 3.0, result


def test_corruption_modes_and_psnr():
    x = np.ones((100, 10), np.float32)
    masked = corrupt(x, "masking", 0.3, rng=0).detach().numpy()
    assert abs((masked == 0).mean() - 0.3) < 0.05
    assert psnr(x, x) == float("inf") and psnr(x, x * 0.9) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="mode must be"):
        corrupt(x, "salt", 0.1)


def test_ring_gan_covers_at_least_7_of_8_modes():
    gn.manual_seed(1)
    X, centers = ring_of_gaussians(4096, rng=1)
    gan = GAN.mlp(2, latent_dim=8, hidden=(128, 128))
    history = GANTrainer(gan, lr_g=1e-3, lr_d=1e-3, rng=2, verbose=0, n_snapshot=1000).fit(X, epochs=40)
    covered, _ = modes_covered(history["snapshots"][-1], centers, std=0.05)
    assert covered >= 7, [modes_covered(s, centers, 0.05)[0] for s in history["snapshots"]]
    assert history["stopped"] is None
    reference = X[:500]
    assert mmd_rbf(history["snapshots"][-1][:500], reference) < mmd_rbf(history["snapshots"][0][:500], reference)


def test_gan_training_is_reproducible_for_a_fixed_seed():
    X, _ = ring_of_gaussians(512, rng=0)
    runs = []
    for _ in range(2):
        gn.manual_seed(3)
        gan = GAN.mlp(2, latent_dim=4, hidden=(16,))
        runs.append(GANTrainer(gan, rng=4, verbose=0).fit(X, epochs=2)["d_loss"])
    assert runs[0] == runs[1]


def test_discriminator_collapse_and_nan_are_reported():
    X, _ = ring_of_gaussians(256, rng=0)
    gn.manual_seed(0)
    gan = GAN.mlp(2, latent_dim=4, hidden=(16,))
    trainer = GANTrainer(gan, verbose=0, collapse_threshold=10.0, collapse_patience=2, rng=0)
    history = trainer.fit(X, epochs=10, batch_size=64)
    assert len(history["d_loss"]) == 2 and "discriminator's loss stayed below" in history["stopped"]
    gan.generator[0].weight.data[...] = np.nan
    with pytest.raises(GANTrainingStopped, match="NaN"):
        GANTrainer(gan, verbose=0, raise_on_stop=True, rng=0).fit(X, epochs=3, batch_size=64)


def test_sample_distances_see_a_difference():
    a = np.random.default_rng(0).standard_normal((300, 2))
    b = np.random.default_rng(1).standard_normal((300, 2))
    assert energy_distance(a, b) < energy_distance(a, b + 2)
    assert mmd_rbf(a, b) < mmd_rbf(a, b + 2)


def test_cli_gan_and_autoencoder(tmp_path, capsys):
    from glassnet.cli import main
    assert main(["gan", "--data", "spiral", "--epochs", "2", "--verbose", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "MMD²" in out and (tmp_path / "gan_spiral_samples.png").exists()
    assert main(["autoencoder", "--data", "digits", "--bottleneck", "2", "--epochs", "2", "--verbose", "0",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / "ae_latent_2d.png").exists() and "bottleneck   2" in capsys.readouterr().out
    assert main(["gan", "--data", "moons"]) == 2
    assert "unknown data set 'moons'" in capsys.readouterr().err


def test_convolutional_autoencoder_learns_digits():
    from glassnet.models import ConvAutoEncoder
    X, _ = digits()
    images = X[:300].reshape(-1, 1, 8, 8)
    gn.manual_seed(0)
    model = ConvAutoEncoder(1, 8, bottleneck=8)
    assert model(gn.tensor(images[:2])).shape == (2, 1, 8, 8)
    curve = fit_unsupervised(model, images, reconstruction_loss(), epochs=4, lr=3e-3, rng=0, verbose=0)
    assert curve[-1] < 0.8 * curve[0]
    with pytest.raises(ValueError, match="divisible by 4"):
        ConvAutoEncoder(1, 6)


def test_generative_models_save_and_load(tmp_path):
    from glassnet.models import ConvAutoEncoder
    for model in (AutoEncoder(64, (16,), 3), ConvAutoEncoder(1, 8, 4), VAE(64, (16,), 2),
                  GAN.mlp(2, latent_dim=4, hidden=(8,))):
        gn.save(model, tmp_path / "m.safetensors")
        loaded = gn.load(tmp_path / "m.safetensors")
        assert type(loaded) is type(model)
        for key, value in model.state_dict().items():
            np.testing.assert_array_equal(loaded.state_dict()[key], value)
