package dev.pocmerge.meanfield;

/** Which Langevin dynamics moves the particles. */
public enum Dynamics {
    /** eq. (3): x ← x − η·∇(δF/δμ)(x) + sqrt(2λη)·ξ. */
    OVERDAMPED,
    /** kinetic MFLD: v ← (1−γη)·v − η·∇(δF/δμ)(x) + sqrt(2γλη)·ξ, x ← x + η·v. */
    UNDERDAMPED
}
