#!/usr/bin/env python3
"""Reference values from scikit-learn for beaconhunt's outlier models (src/models).

Writes one JSON file per data set to test/fixtures/models/ (then formatted with the repository's biome).
Everything is seeded, so re-running gives identical files for the same scikit-learn/numpy versions
(recorded in each file).

Run with Debian's scikit-learn (apt-get install python3-sklearn):
    /usr/bin/python3 tools/sklearn/make_model_fixtures.py

What is recorded per data set (rows of X, plus `outlier` flags for the planted outliers):
- StandardScaler / RobustScaler: fitted center/scale and the transformed rows.
- PCA: mean, explained variance (+ ratio), components sign-normalised so that each component's
  largest-magnitude loading is positive, and the rows projected on those components.
- MinCovDet (default support_fraction, i.e. h = ceil((n + p + 1) / 2)): raw location/covariance,
  reweighted location/covariance, support sizes, squared distances.
- EllipticEnvelope(contamination=0.1): Mahalanobis distances, offset_, decision_function, predict.
- IsolationForest(100 trees, max_samples=256): -score_samples (the paper's s(x) in (0, 1]); random, so
  the TypeScript tests compare rankings / AUC of the planted outliers, not values.
- OneClassSVM(rbf, nu=0.05) with a fixed gamma (the 'scale' value, recorded), decision_function.
- KMeans(n_clusters=2, n_init=10): inertia, centres, cluster sizes; silhouettes for k = 2..6 (blobs).
- c(n) of the isolation forest for a few n.
"""
import json
import os
import subprocess
import sys

import numpy as np
import scipy
import sklearn
from sklearn.cluster import KMeans
from sklearn.covariance import EllipticEnvelope, MinCovDet
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score, silhouette_score
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.svm import OneClassSVM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "test", "fixtures", "models"))


def tolist(a):
    return np.asarray(a, dtype=float).tolist()


def sign_normalise(components):
    comps = np.array(components, dtype=float)
    for k in range(comps.shape[0]):
        j = int(np.argmax(np.abs(comps[k])))
        if comps[k, j] < 0:
            comps[k] = -comps[k]
    return comps


def planted(rng, n_out, d, radius_lo, radius_hi, scale):
    """n_out points on random directions at radius in [lo, hi] (in units of `scale` per feature)."""
    v = rng.normal(size=(n_out, d))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    r = rng.uniform(radius_lo, radius_hi, size=(n_out, 1))
    return v * r * scale


def dataset_gauss2d():
    rng = np.random.RandomState(0)
    inl = rng.normal(size=(200, 2)) * np.array([1.0, 0.5]) + np.array([3.0, -1.0])
    out = planted(rng, 10, 2, 6.0, 9.0, np.array([1.0, 0.5])) + np.array([3.0, -1.0])
    return "gauss2d", np.vstack([inl, out]), np.r_[np.zeros(200), np.ones(10)]


def dataset_gauss3d():
    rng = np.random.RandomState(1)
    scale = np.array([2.0, 1.0, 0.3])
    inl = rng.normal(size=(200, 3)) * scale + np.array([10.0, 0.0, -5.0])
    out = planted(rng, 10, 3, 6.0, 9.0, scale) + np.array([10.0, 0.0, -5.0])
    return "gauss3d", np.vstack([inl, out]), np.r_[np.zeros(200), np.ones(10)]


def dataset_correlated():
    """Strongly correlated inliers; outliers off the correlation axis but unremarkable on each marginal,
    plus a cluster of contamination that drags the classical covariance (robust covariance matters)."""
    rng = np.random.RandomState(2)
    corr = np.array([[1.0, 0.95, 0.5], [0.95, 1.0, 0.45], [0.5, 0.45, 1.0]])
    sd = np.array([2.0, 1.0, 1.4])
    cov = corr * np.outer(sd, sd)
    inl = rng.multivariate_normal(np.zeros(3), cov, size=200)
    # off-axis: x1 and x2 disagree in sign (strongly against the 0.95 correlation)
    a = rng.uniform(1.5, 2.5, size=10)
    out = np.c_[a * 2.0 * rng.choice([-1, 1], size=10), np.zeros(10), rng.normal(size=10) * 0.5]
    out[:, 1] = -np.sign(out[:, 0]) * rng.uniform(1.5, 2.5, size=10)
    return "correlated", np.vstack([inl, out]), np.r_[np.zeros(200), np.ones(10)]


def dataset_large():
    """n > 600: exercises the nested (subset/merged) FastMCD path."""
    rng = np.random.RandomState(3)
    cov = np.array([[1.0, 0.6, 0.0, 0.2], [0.6, 1.0, 0.3, 0.0], [0.0, 0.3, 1.0, 0.5], [0.2, 0.0, 0.5, 1.0]])
    inl = rng.multivariate_normal(np.array([1.0, 2.0, 3.0, 4.0]), cov, size=1140)
    out = rng.multivariate_normal(np.array([1.0, 2.0, 3.0, 4.0]) + 5.0, cov * 0.5, size=60)
    return "large", np.vstack([inl, out]), np.r_[np.zeros(1140), np.ones(60)]


def dataset_blobs():
    rng = np.random.RandomState(4)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [4.0, 7.0]])
    parts = [rng.normal(size=(n, 2)) * 0.8 + c for n, c in zip((90, 70, 50), centres)]
    return "blobs", np.vstack(parts), np.zeros(210)


def dataset_seedlike():
    """The seed's three features (avgcount, t_bytecount, distinct_byte_count) for 300 pairs, one beacon."""
    rng = np.random.RandomState(5)
    n = 300
    t = np.round(rng.lognormal(3.0, 1.0, size=n))
    distinct = np.maximum(1, np.round(t * rng.uniform(0.2, 0.9, size=n)))
    avg = np.clip(1.0 / distinct + rng.uniform(0, 0.2, size=n), 0, 1)
    X = np.c_[avg, t, distinct]
    X = np.vstack([X, [[0.97, 3865.0, 19.0], [0.95, 2900.0, 12.0]]])
    return "seedlike", X, np.r_[np.zeros(n), np.ones(2)]


def fit_all(name, X, y, blobs=False, full=True):
    """full=False leaves out the per-row transformed arrays (keeps the large fixture small)."""
    n, d = X.shape
    rec = {
        "name": name,
        "generator": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "n": n,
        "d": d,
        "X": tolist(X),
        "outlier": [int(v) for v in y],
    }

    ss = StandardScaler().fit(X)
    rs = RobustScaler().fit(X)
    rec["standard"] = {"mean": tolist(ss.mean_), "scale": tolist(ss.scale_)}
    rec["robust"] = {"center": tolist(rs.center_), "scale": tolist(rs.scale_)}
    if full:
        rec["standard"]["transformed"] = tolist(ss.transform(X))
        rec["robust"]["transformed"] = tolist(rs.transform(X))

    pca = PCA().fit(X)
    comps = sign_normalise(pca.components_)
    rec["pca"] = {
        "mean": tolist(pca.mean_),
        "explained_variance": tolist(pca.explained_variance_),
        "explained_variance_ratio": tolist(pca.explained_variance_ratio_),
        "components": tolist(comps),
    }
    if full:
        rec["pca"]["projected"] = tolist((X - pca.mean_) @ comps.T)

    if d >= 1 and not blobs:
        mcd = MinCovDet(random_state=0).fit(X)
        rec["mcd"] = {
            "n_support_raw": int(mcd.raw_support_.sum()),
            "raw_location": tolist(mcd.raw_location_),
            "raw_covariance": tolist(mcd.raw_covariance_),
            "location": tolist(mcd.location_),
            "covariance": tolist(mcd.covariance_),
            "n_support": int(mcd.support_.sum()),
            "dist": tolist(mcd.dist_),
        }
        ee = EllipticEnvelope(contamination=0.1, random_state=0).fit(X)
        rec["elliptic"] = {
            "contamination": 0.1,
            "mahalanobis": tolist(ee.mahalanobis(X)),
            "offset": float(ee.offset_),
            "decision": tolist(ee.decision_function(X)),
            "predict": [int(v) for v in ee.predict(X)],
        }

        iso = IsolationForest(n_estimators=100, max_samples=256, random_state=0).fit(X)
        s = -iso.score_samples(X)
        rec["iforest"] = {"score": tolist(s), "auc": float(roc_auc_score(y, s))}

        gamma = 1.0 / (d * X.var())
        oc = OneClassSVM(kernel="rbf", nu=0.05, gamma=gamma).fit(X)
        dec = oc.decision_function(X)
        rec["ocsvm"] = {
            "nu": 0.05,
            "gamma": float(gamma),
            "rho": float(-oc.intercept_[0]),
            "n_support": int(oc.support_.shape[0]),
            "decision": tolist(dec),
            "auc": float(roc_auc_score(y, -dec)),
        }

    km = KMeans(n_clusters=2, n_init=10, random_state=0).fit(X)
    order = np.lexsort(km.cluster_centers_.T[::-1])
    rec["kmeans2"] = {
        "inertia": float(km.inertia_),
        "centers": tolist(km.cluster_centers_[order]),
        "sizes": sorted(int(v) for v in np.bincount(km.labels_, minlength=2)),
    }
    if blobs:
        sil = {}
        for k in range(2, 7):
            lab = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(X)
            sil[str(k)] = float(silhouette_score(X, lab))
        rec["silhouette"] = sil
    return rec


def main():
    os.makedirs(OUT, exist_ok=True)
    sets = [dataset_gauss2d(), dataset_gauss3d(), dataset_correlated(), dataset_seedlike()]
    for name, X, y in sets:
        write(name, fit_all(name, X, y))
    name, X, y = dataset_large()
    write(name, fit_all(name, X, y, full=False))
    name, X, y = dataset_blobs()
    write(name, fit_all(name, X, y, blobs=True))
    # univariate MCD (scikit-learn's exact shortest-half branch)
    rng = np.random.RandomState(6)
    X1 = np.r_[rng.normal(5.0, 2.0, size=100), [25.0, 30.0, -20.0, 40.0, 22.0]].reshape(-1, 1)
    mcd1 = MinCovDet(random_state=0).fit(X1)
    write(
        "univariate",
        {
            "generator": {"sklearn": sklearn.__version__, "numpy": np.__version__},
            "X": tolist(X1),
            "raw_location": tolist(mcd1.raw_location_),
            "raw_covariance": tolist(mcd1.raw_covariance_),
            "location": tolist(mcd1.location_),
            "covariance": tolist(mcd1.covariance_),
            "dist": tolist(mcd1.dist_),
        },
    )
    ns = [0, 1, 2, 3, 4, 5, 10, 100, 255, 256, 257, 1000, 100000]
    write(
        "iforest-c",
        {
            "generator": {"sklearn": sklearn.__version__, "numpy": np.__version__},
            "n": ns,
            "c": tolist(_average_path_length(np.array(ns))),
        },
    )
    # the repository's formatter (biome) also checks JSON under test/; it leaves the values untouched
    biome = os.path.normpath(os.path.join(HERE, "..", "..", "node_modules", ".bin", "biome"))
    if os.path.exists(biome):
        subprocess.run([biome, "format", "--write", OUT], check=True, capture_output=True)
    else:
        print("note: run `npx biome format --write test/fixtures/models`", file=sys.stderr)


def write(name, rec):
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(rec, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
