// PIL oracle for the augmentation's pixel operations: bicubic crop+resize (up, down, identity,
// non-square), GaussianBlur at several radii, brightness / contrast / saturation (ImageEnhance),
// torchvision's adjust_hue, convert('L') and ImageOps.solarize, on a 13x11 RGB and a 9x12 grey
// image, all required to match Pillow 9.4.0 bit for bit. The data below was written by the Python
// script at the end of this file (Pillow + numpy, e.g. Debian's python3-pil); npm test needs no
// Python.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BicubicResizer,
  ColorOps,
  GaussianBlurPIL,
  grayscale,
  solarize,
} from '../../src/dino/augment/index.js';

type Case = { image: string; op: string; params: number[]; data: string };
const IMAGES: Record<string, { h: number; w: number; c: 1 | 3; data: string }> = {
  rgb: {
    h: 13,
    w: 11,
    c: 3,
    data: 'BQAZEwAdUkQCABQvADQLLzY/bIVWoVB5nn5cZHeScJCSHhEWABI3YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXja6XUEUqACI7VxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDsJJ0AC1BIgBLBBtQAFYwW1NegUeekpejpKaHWo51aq2MiYi9MFYhWmlfAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfpbH/KC0Ae15kS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko/5CsIEoYKQJfcT5YLU6YdcxQlneWjnhs/5tNk8iZ8+S2uaOwAGt7GBsEMwAsnVuLZb+AeO57Zp+V0YHG2Ju8o/+pwqnGQ2IrSxoy0IxDPEpxgmNNyaKBlooqs4SGpNuPlOfrtvPRWBpti3VyAHVqdGF8mn93ymzCr4icktLFsJrS/NHm1ujZYBhuW3JWgEijPlmMzJ2IaJmg9Mlz/7Cc/83A5///tv//Tjw2cVJOnIpsqMJfgsC3s9h+fpa+qLWhv6/m/9Pe3//6pTp0h2aMS9lOuGfBk6ml3qU7o8mw7/nLpP//4//h0fj/',
  },
  grey: {
    h: 9,
    w: 12,
    c: 1,
    data: 'AFsAT00/fiWlenW2Nzl4YXc8ZIR7lajHFRkUH4BbjEY7bNLdMxQ8RFAHV4DSqemvKABhcrFlinhzk7D/Py5hclyzR5jJh9n/XhZLp5CRscqfvt3PU5tO0Nxap8iquNr/UbyNi9fEyLr//+i/',
  },
};
const CASES: Case[] = [
  {
    image: 'rgb',
    op: 'resize',
    params: [0, 0, 13, 11, 4, 5],
    data: 'HRUxMjZJUGlge3uDgI6cMUBAR1FQdmd4kZl+pqmqQT5DaVxolpl+uKSaxdjLb1NjgoyErKmPycW+3e/z',
  },
  {
    image: 'rgb',
    op: 'resize',
    params: [2, 1, 6, 7, 16, 16],
    data: 'ACczCCRBPBtiYBV9OhF5DRlrGk1jQpVbUZ5JRmosO04pLWlQLoR/ZHWjolu/vFHMASI2CyBCNxlfVBZ4MxZyCyBkGk5eQ41aVJRNTWY4RE44OWpbOoeDa3uiomS4uVzDCxA9EBBFKA9ZNhRpHiBeAzJOFlNPRHhZW3tcXVlZXU1fWW15XI2Tf4uipH6qtHmuHABGGQBJFghSEBZWBjBFAEo1FVg+Rl5WZFprckqAe0uRgHCchZSilp6epZyVrJ2RMA1PJw9PEBlPAChNAUFADFg0JVs5TlJIaEtjeUSNg0ynjHClkpOamaKNnKV+nqd4STtZOj1WE0VRAE5MEFdNMl5OR1s/W1QraE5BcUeAeE6kfm2Tg4t3h5VqiJZhipddYGRgTWZcHWtTAG5OI2hZVmBhZ1lEaVMYak8nakpya1Gcb2qBc4FddopTeItReoxPc3BkYHJgMXdYE3hQNm5QaF9OeE47eD8idTs0bEJ0aFCYbWWEc3ppc41lc5pmdKFmgWplcm1iTHNeNHRUS2s9b1opgEAsiCI9hB9WczZ9aU+UcGCSeXWLeJeNdbeQdcWSfVlldVxjXmZgT2tWWGQ6alUhfD4ujCRRjSNrejuCcFKSdV+Yf3KbhJueh8Shh9WjWzNoXTlmYU1hY11aV1hTTk9NX1ROfl9Vi2FlhVqDgVmUgGGSh3GKnZOEtbZ/ucR9MAtnPRNkXS9dcElbUklxMUmGQXB3aqZWhK1ZjoOCkmiXi2iIjXRyt4pi5p9W8KlQGgBRKQVQTxtMajNTVTt4O0mcRn6LZMNge9JdjKiAlIiSiH6Eh35wuYdk85Fc/5ZYFQ0mIA0pNw4vTxc/YC1qbE2TboCPabp0b9Rufs19hb6Gd6aEdZGCpYqI3YmQ8IiUFR0DGxYKIwYXNwMwaCNclVKHkH+Pb62CZs99cuZ6eOd9acWFZqCTk42oyIS93X/GFCEAGBkAGwIOLwAqax9YpFOEnICQcKqIYtCCbvF5dPd5ZNGFYaWYjY6zwYHM13vY',
  },
  {
    image: 'rgb',
    op: 'resize',
    params: [1, 2, 5, 8, 5, 8],
    data: 'YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXVxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDBBtQAFYwW1NegUeekpejpKaHWo51aq2MAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko',
  },
  {
    image: 'rgb',
    op: 'resize',
    params: [0, 0, 13, 11, 13, 11],
    data: 'BQAZEwAdUkQCABQvADQLLzY/bIVWoVB5nn5cZHeScJCSHhEWABI3YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXja6XUEUqACI7VxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDsJJ0AC1BIgBLBBtQAFYwW1NegUeekpejpKaHWo51aq2MiYi9MFYhWmlfAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfpbH/KC0Ae15kS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko/5CsIEoYKQJfcT5YLU6YdcxQlneWjnhs/5tNk8iZ8+S2uaOwAGt7GBsEMwAsnVuLZb+AeO57Zp+V0YHG2Ju8o/+pwqnGQ2IrSxoy0IxDPEpxgmNNyaKBlooqs4SGpNuPlOfrtvPRWBpti3VyAHVqdGF8mn93ymzCr4icktLFsJrS/NHm1ujZYBhuW3JWgEijPlmMzJ2IaJmg9Mlz/7Cc/83A5///tv//Tjw2cVJOnIpsqMJfgsC3s9h+fpa+qLWhv6/m/9Pe3//6pTp0h2aMS9lOuGfBk6ml3qU7o8mw7/nLpP//4//h0fj/',
  },
  {
    image: 'rgb',
    op: 'resize',
    params: [0, 3, 7, 5, 3, 9],
    data: 'Lyw+KkJHJWdWQGlQYl9JU21dS3d1bGyHf2aQJEpHNVRHWmNKaVhhbE1+a26HcI2JiI+LlY6LU1NZYlpRfWRHgmFrfl2XfmiNiH56o6FyrrRv',
  },
  {
    image: 'rgb',
    op: 'resize',
    params: [0, 0, 13, 11, 28, 28],
    data: 'AQAaBAAZCAAbEAAcJhASRTgAT0oALTQQARMqABAnACANAC0ABysSGikwMj1CUmlKcIhRi3diolR0rE52qmhmoIFbi4Jnbnt/X3qPZIOSbI2Rbo+SBwIYCAIZCAIdDQIhIg8cRSwSVDoQPDAeGSAuDyIvCjIkCD4fGz8sNT49SE1KVWtSY4BbdnVpil52lll3n2dnoHZdj3ZudHKOZnafa4Wbc5OUdJeSFAcTEQgXCAofBQsrGQw0Qw8+XxZCYCc8VTw3R01BL1pbJWVrSGxodXFdfHJdX29nRmxwRXB3T3V8YnJ5hWRon1lhmFd/gV2vdmzDeomwgKOagqyUKBcUIRYZDhYjABYzEg1HQgBfZQBqbx9YbEdFX2NSRnh7P4eVZIyFk4tnkINhXHFxMWWALG6HOX+LUH+GeWxxmlxomVmMiF/Egm/YiI65kKmYk7SNSjUePzIiHisoACI1DxhKQwxoYwp4VRZtOyxdNk1fPn5uSZt0Wo9eZ3JDYGlEP3BiLXaBRXCYbmiqhm+ojYeIjpxziZqQgo7ChIvPlZSppJ6CqqF0V0kpSkMsJzYvBCU4EBtKPRdoVBd4NRZzDRxnED1gNXlbUZxUUoNCSFYzQFE8Nm9gO4eEZnmjn1+7smm6mpyWf8h6d8iNeLO1gaO9mZicrZJ6tY9uKz04JTY6GiM7Dw5AFQhLJQ1dKhVkFSNZADNLBkpJM2lSV3lbYGZfYEpjYU9vYXOFaZKZh5Ckq4SqrYekiZyMZ7B5YrSDbbGbeqiki5idmoqVoIWTADFAAipCERdFHwJKHgBODwxRBBxPADZAAE8xD1o1OVhIXFRgb0t6fESUhlKii3amkZajnaObpqeOnKSEepd7XI51WJd5YqiDbquSfJqnh4q5jITBDkEzEz44JzVEOi1SLi5VCzhQAEJLCVBJIltGNl1ATVY1YVA7bklkd0aWf1OmhXOWio6Djpl2kJxrjpxmh5VpfJFwa514V7CDV7aZcam/ipzek5jnKlQeMFYnRVs/VmJZQmdeE2xTAGxOH2dYTWFhY1tPZ1YlaVIVak1Ga0uJbVWZcG18dIJedYlTdopQgI1TmZJcpplqiKd6VriMS8Coc7nWm7H6qa//K0YONUwWUVs4a21cXHdkLnpaGXhQN25MY2BJeFE9ez8qejUpczpSakWHaFSWbmeCc3pvco5rcJ9teaBskoxopX1qmo55gK2RgLyso7PMxank0KbnIisCLzQHUkgveGBcc21pUnJiQHFUUWg5alohfEUjiSY7jRZWgSRwcD+Ia1OUdGGVe3SWe5qbecGgfL+YhId/k1ptpmx6vpyX1LKq6KWy95W1+pG2IC4AKjIGRTcvY0Feak1rY1tjXGNYWV1IWVI7ZUw9fUZMjEVfiEl0fVCKeVmVfWKUhHKSkZWSobyRo7+MkpV/jHJ5qoOI262h972v+Kqs85Wn8I+mIUYFJD8RKyg1NhNfSRtpZTdfb0xcVEttNkl/O2B5Xo9efatRiZdqj3KNkGSWimiGjXR0soZk4J1X5atbtLByjrSMqMOf4dau+NW247uyyqKswZmrGFoqGE4vFys7HAZKMAROUxpKZi9SVjh1QkaaRW2WW69xcNhZgMdrjqCKkIqRhIKDhoBztINm74td+5lmy6+DosShsNit2Oux5ei0z8e0uKi0sZ20A2xvBGBjCkBCExkeHQcXKgAjPAc6XiFifkmLhHSWc6mEZtB3bd14eNt/ec2Fa7CKbJeQlouZz4Wj54is3JGzy6O4w8azvPCqufequ8+0vqi+v5rCBnWCB2lwDUlAGSMMJBACMwoURw8wbihWkUx+lG6MepSEZ7R8btR6fOt5fOV7bMJ/aKCJiY2guIG70oDH2orB1525w8OzpvCwnPyyrdm9vrbHxKrLKXRKKWdDJ0EwLhkcUB4biUQnp1w5jlhWZk5zXVZ3ZmpodoFejqFpp8B3qMNykKxXgZRIlIRisnqNwYOhwKKducSaqdutle3IkPLWo+fUttzOvNjNRWQqR1osRDswSh82cDY6sHE/yZFIkHlbSVJuPklrYFJYhWJNqHplxpWCyJ16r5NLmYktnoNFrIN0r5KMqraMo9ePnuOvmePbm+fvqu7jtvTUuvbPTjdLVDpMZD9Tc0lacl5aZHxWWYpXVXdlV1xyYldydmFkj2xhsHN/znqh0X6iun6Ao4Nom5R5mKqbl7atmrWvobayssDGx87g0drrz+bhyu7VyfLRUxBuWx5ud0NwjW5ybX1wJHpsAHNrJ2tzY2J6gmZ7j3V0nIB5sXiWxG65yG7AvnessYido6enlsm8lM/JnbPNrpvRzKba8MLj/dbm6+Hg2Ofa0urYXAh2YBh0bkRueHRpaHxwQmiALVmLNlSNTVaIbWOEmnx+uI6Ar4eXmXuynoC0v5Wd2amL1rmVzMSrysW6z7jB2bDJ57/a9dvs9Ovz3vDwyfLtwfPrYA5xYBxtXUNgW21WZXBndleMekekWkifPVGRVmWJn4WGzJyGqZyTcZWhd52cubaE9Mhz/8N8/rWS/rKj/ryu/sq9+d3W8PTy4f//y/7+uf7+sf7+VCBWVilUV0NOXF9LbmZei12AmFuUgGqKZX55b5B8mKGPsq+cn7ScgLeWhLiSp7mPyLeO1bOP3a2T462f6LS07L/J8dDc8+Ts7PH12Pn6x///wP//SDc2TTo4WEM+aU9Ie15WkXBpn4Nyo55ooLdcmcFujb+ZiL60lcqlptaJp82Jk7Cjh5i4kJywo6ugsbKkua7DxK3f2rjm9cnh/tvj7+7v3v752f/9aDxEaj9IcERTeFBffGtifZFehatfnK9osqt2rq6KkbSogru0ncSVwMxtwMZunLGZgqO+ka69rsOvus22s8rVsMfvx83v6tfh+OLe7fDt3/v52/z+mzdomD1skkZ4iVqDdoB3XbZaWc9Tf615rn6otXm6nJW3kK6nrK970axM1K9NsraBnMCys9K/2ufB4PLNwfTnp/P7tvX32ffm6Pjh4Pnv1fn80fj/sTZ4rDx8oUeIkF6TdIqBT8dYRt9NdK1/rWu9uWPOoYi+laiisqdw2p893aU/vLh3ps2uweLB7PbI8P/Xxv/vo///r//70f/o4v/i2/zw0fj9zvb/',
  },
  { image: 'rgb', op: 'resize', params: [1, 1, 3, 3, 2, 2], data: 'IhBLVi1bGxBPCzVO' },
  {
    image: 'rgb',
    op: 'resize',
    params: [3, 0, 4, 11, 11, 4],
    data: 'BRBEN0ZdkY6YcZqSChpEO0hcjoySc52VFzVGQ09XiIZ+daWdKldHT1ZRf39neq+oOWhGXFZPenxkiq+rSGRAakpPeH17q6GkUlg7dEBTe4CTy5WcT0o9dEtciYaS1p2cQTZEa2Zsoo6A0rSiNihKZHp3tZVwzcanMiJMYYJ8vJdrzMyo',
  },
  {
    image: 'rgb',
    op: 'brightness',
    params: [0.6],
    data: 'AwAPCwARMSgBAAwcAB8GHCAlQE8zYDBIXks3PEdXQ1ZXEgoNAAohOgA7QDMmIkxYXlI7HjxLJk5PXjE+TDuBVGhaMCkZABQjNA1IBhU8MF4zKC4dIlBPaTdyTHlJS2J1aVdFABsnFAAtAhAwADMcNjE4TSpeV1phYmNRNlVGP2dUUlFxHDMTNj85AEMuOTg5QDALPy5bRE02SFQwZFtALXNfY2qZGBsASTg8LUE0QzERVg84Qi5VS0VdTnthVzRDhWpkmVZnEywOGAE5QyU0Gy5bRnowWkdaVUhAmV0uWHhbkYhtb2FpAEBJDhACHgAaXjZTPHJMSI5JPV9ZfU12gV1wYZlldGV2KDoZLQ8efFQoJCxDTjsueGFNWlIZa09QYoNVWIqNbZF9NA9BU0ZEAEY/RTpKXExHeUB0aVFdV352aVx+l32KgIuCOQ5CNkQzTCthJTVUel5RPltgknhFmWldmXtzipmZbZmZLiQgQzEuXVJAZHQ5TnNta4FLS1pyZGxgcmmKmX6FhZmWYyJFUT1ULYIubj1zWGVjhWMjYXhpj5V5YpmZiJmHfZSZ',
  },
  {
    image: 'rgb',
    op: 'contrast',
    params: [0.6],
    data: 'NTJBPTJDY1szMj5OMlE5TlJYc4Jmk2J7kX5pbnmKdYiKRDw/Mj1TbTJtc2VYVH+LkIRtUW5+WIGBkWRwf22zh5qNYltLMkZVZj96OEhuYpFlW2FPVIKBm2qlfqt7fZSnnIp4Mk1ZRjJfNEJiMmZPaWRqf12Rio2UlJaDaId4cpqGhISjT2ZGaHFrMnZhbGprcmI9cmGOdn9peoZjl41zX6WRlZzLSk0yfGpuX3NmdWNDiEJqdGCIfniPgK2UiWZ1uJ2Xy4iZRV5ASzNrdldnTWGNeKxijHmMh3pzy49giqqOxLufoZScMnJ8QEI0UTJMkGmFb6V/esF8b5GLr3+ptI+jlMuXppepWm1MX0JQr4ZaVl52gG1gq5N/jIVLnYGClLWIi72/n8SvZ0JzhXh2MnhyeGx8jn55q3Omm4SQirConI6wya+8sr20bEB0aXZmf12UV2eGrJCEcI6SxKt3y5yQy62lvcvLn8vLYVZSdmNhkIVzl6ZrgKWgnbR+foykl5+TpZu8y7G3uMvIlVV4g2+GX7RhoHCmipeVt5VVlKucwceslMvLusu5r8fL',
  },
  {
    image: 'rgb',
    op: 'brightness',
    params: [0.83],
    data: 'BAAUDwAYRDgBABAnACsJJyw0WW5HhUJkg2hMU2J5XHd5GA4SAA4tUQBSWUY1L2p6gnFSKlNoNWxtg0RWalKydZB9QjkiABwwSBJjCB1TQoNGOEAoL29tkU2eaadlZ4ihknlgACU1HAA+AxZCAEcnS0ROazqDeX2HiIlwSnVhV490cXCcJ0cbSldOAF1AT05OWEIPV0B+XmtLY3RDi35ZPp+DiJLTISUAZk5TPlpIXEQYdxVOWz92aGCAa6qHeEhcuZOL03eOGj0TIgFOXTNJJUB+YalCfGJ8dWNZ04A/eqZ+yb2XmYeSAFhmExYDKgAkgktzU55qY8VmVIN7rWuks4Cch9OMoYykN1EjPhUprHQ3MT1da1I/poZrfHIilG1viLV2er/Dl8mtSRVac2FeAGFXYFBmf2lip1mhkXCBea6jkn+u0a2+scC0TxNbS15HajuHM0l0qYJwVn6EyqZf05KB06qfv9PTl9PTQDEsXURAgXJZi6FOa5+XlLNoaHydi5aFnpG+06+4udPPiDBgcFR0PrRAmFWgeoyIuIgwh6aSxs6oiNPTvNO6rc3T',
  },
  {
    image: 'rgb',
    op: 'contrast',
    params: [0.83],
    data: 'GRUqJRUtWU0XFSY8FUAePEJJb4Ncm1d5mH5haHiOcoyOLiMnFSRDZhVnb1tKRH+Ql4dnP2h+SoKCmFprf2fHiqWSV044FTFGXSd5HTNoV5hbTVY+RISCpmKzfr16fZ23p451FTpLMRVTGCtXFVw9YFpjgFCYjpKcnZ+FYIt2baWJh4ayPVwwYGxkFXNWZWNkblclbVaUdIBgeYlYoJNvU7SZnqjpNjoVe2NoU29dclktjCtjcFWMfnWWgb+cjV1yzqmg6YykL1IpNxdkc0heOlaTdr5XkXiRi3lv6ZZVj7uU39KsrpynFW57KSsYPxU5l2CIabN/edp7apmRwoC5yJaxnOmhtqG5TWY5Uys+wolNR1JzgWdVvJuAkYc4qYKEncuMkNXYrN/CXitviHZ0FXZtdWV8lX54vW+2poaWjsO4p5XD5sLUx9XJZSlwYHRcf1GcSF+JvpeGa5Sa37x06aeW6b+01enprOnpVkdCc1lWlodvoLZkgbStqch+fpGzoKubs6bU6cTNzunknkV1hWqJU8lWrmq1j6GezZ5GnLyn2+S9nenp0enQwuPp',
  },
  {
    image: 'rgb',
    op: 'brightness',
    params: [1.0],
    data: 'BQAZEwAdUkQCABQvADQLLzY/bIVWoVB5nn5cZHeScJCSHhEWABI3YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXja6XUEUqACI7VxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDsJJ0AC1BIgBLBBtQAFYwW1NegUeekpejpKaHWo51aq2MiYi9MFYhWmlfAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfpbH/KC0Ae15kS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko/5CsIEoYKQJfcT5YLU6YdcxQlneWjnhs/5tNk8iZ8+S2uaOwAGt7GBsEMwAsnVuLZb+AeO57Zp+V0YHG2Ju8o/+pwqnGQ2IrSxoy0IxDPEpxgmNNyaKBlooqs4SGpNuPlOfrtvPRWBpti3VyAHVqdGF8mn93ymzCr4icktLFsJrS/NHm1ujZYBhuW3JWgEijPlmMzJ2IaJmg9Mlz/7Cc/83A5///tv//Tjw2cVJOnIpsqMJfgsC3s9h+fpa+qLWhv6/m/9Pe3//6pTp0h2aMS9lOuGfBk6ml3qU7o8mw7/nLpP//4//h0fj/',
  },
  {
    image: 'rgb',
    op: 'contrast',
    params: [1.0],
    data: 'BQAZEwAdUkQCABQvADQLLzY/bIVWoVB5nn5cZHeScJCSHhEWABI3YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXja6XUEUqACI7VxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDsJJ0AC1BIgBLBBtQAFYwW1NegUeekpejpKaHWo51aq2MiYi9MFYhWmlfAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfpbH/KC0Ae15kS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko/5CsIEoYKQJfcT5YLU6YdcxQlneWjnhs/5tNk8iZ8+S2uaOwAGt7GBsEMwAsnVuLZb+AeO57Zp+V0YHG2Ju8o/+pwqnGQ2IrSxoy0IxDPEpxgmNNyaKBlooqs4SGpNuPlOfrtvPRWBpti3VyAHVqdGF8mn93ymzCr4icktLFsJrS/NHm1ujZYBhuW3JWgEijPlmMzJ2IaJmg9Mlz/7Cc/83A5///tv//Tjw2cVJOnIpsqMJfgsC3s9h+fpa+qLWhv6/m/9Pe3//6pTp0h2aMS9lOuGfBk6ml3qU7o8mw7/nLpP//4//h0fj/',
  },
  {
    image: 'rgb',
    op: 'brightness',
    params: [1.27],
    data: 'BgAfGAAkaFYCABk7AEINO0RQiahtzGWZyKB0f5e5jra5JhUbABZFfAB9iWtRSKK7x619QH+gUaanyGmEon3/s9y/ZVc1ACtKbhuYDC1/ZchrVmM+SKqn3nbyof+antD337mTADlSKwBfBSJlAG08c2l3o1rIub/P0NKrcrSUhtuxrazwPG0pcoV4AI9jeXd4h2UYhmPCkKNzmLFm1cGJX/PJ0eD/MjkAnHd/X4pujmgktiF3i2G1oJPEpf/PuG6O/+LV/7baKF0eNAJ4j05vOWPBlP9lvpe+tJiJ/8Rhuv7C///n6s/fAIecHiIFQAA3x3OwgPKimP+cgcm9/6P7/8Tuz//W9tb7VXw2XyE//7FVTF2PpX1h/82jvq8146eq0P+1u///5///byGKsJSQAJSGk3udw6GX/4n23qzGuf/638P/////////eR6Lc5BtolvPTnGx/8eshMLL//+S/9/G///z////5///Y0xEj2hjxq+J1fZ4pfPo4/+goL7x1eXM8t7/////////0UmTq4GxX/9j6YL1utbR/9FKz//f////0P//////////',
  },
  {
    image: 'rgb',
    op: 'contrast',
    params: [1.27],
    data: 'AAAAAAACRjQAAAAZACAAGSItZ4ZLqkN3pn5SXHWXbJSXBAAAAAAjWgBbZ0kvJoCZpYtbHlx+L4SFpkdigFvvkbqdQzUTAAkoTAB2AAtcQ6ZJNEEcJoiFvFTQf954fK7VvZdxABcwCQA9AABDAEsaUUdVgTiml52srrCJUJJyZLmPi4rOGksHUGNWAG1BV1VWZUMAZEGgboFRdo9Es59nPdGnr77/EBcAelVcPWhMbEYClABVaT+TfnGig+Kslkxs+cCz/5S4BjsAEgBWbSxNF0GfcuFDnHWcknZn/6I/mNug///FyKy9AGV6AAAAHgAVpVGOXtCAdv96X6eb54HZ8KLMrP+01LTZM1oUPQAd5o8zKjttg1s/3auBnI0TwYWIrvSTmf//xf/nTQBojnJuAHJkcVl7oX913mfUvIqkl+jYvaHo/+f/7f/xVwBpUW5LgDmsLE+P4aWKYqCp/91w/72k/+LR////xf//QSoibUZBpI1ns9RWg9HGwfB+fpzPs8Oq0Lz//+n3+f//rydxiV+PPfFBx2DTmLSv968orN29///frv///v/75///',
  },
  {
    image: 'rgb',
    op: 'brightness',
    params: [1.4],
    data: 'BwAjGgAocl8CABxBAEgPQUtYl7p44XCp3bCAjKbMnMnMKhceABlNiQCKl3dZT7PP27+KR4ywWbe43XSRs4r/xfPTcGA6AC9SeR6oDjKMcN13X21ET7u49YL/sf+qr+X/9syiAD9bLwBpBSVwAHhDf3SDtGPdzNPk5ei9fsajlPLEv77/Q3gufpOFAJ5thoOFlXAalG3Wn7R/qMRx69SXaf/e5/f/OD8ArIOMaZh5nHIoySSDmmvIsKLZtv/ky3mc//nr/8nwLGchOQKFnlZ7P23Uo/9w0qbSxqiX/9lrzf/W///+/+T2AJWsISUFRwA923/Cjf+zqP+sjt7Q/7T//9n/5P/s/+z/XYk8aSRG/8RdVGeetopr/+K00sE6+ri75f/Iz////v//eySYwqOfAKOUooet17Gm/5f/9b7azP//9tf/////////hiGaf594s2TkVnzE/9u+kdbg//+h//ba/////////v//bVRLnnJt2sGX6/+Ftv//+v+wsNL/6/3h//X/////////51GivY7Eaf9t/5D/zezn/+dS5P/2////5f//////////',
  },
  {
    image: 'rgb',
    op: 'contrast',
    params: [1.4],
    data: 'AAAAAAAAQCwAAAAPABYADxklZIdGrz13qn5OWXSaapeaAAAAAAAaVgBYZEQnHYCcqY1YFVl+J4WGqkFfgFj6k8GhPS4IAAAgRwB1AABZPapELDoSHYmGwk/Zf+h4fLPexJpwAAwoAAA2AAA9AEYQTUFRgjGqmqGxs7aKS5RxYr+RjYzWEEYAS2BSAGs6VFFSYz0AYjqjbYJNdZE/uKJkNtqstMX/BQwAeVFZNmZHakAAlwBRZzmVfnCmg+yxmEdq/8a4/5e+ADUABwBSayRIDDqices9n3SflHVk/6Y5m+Wj///M0LHEAGN5AAAAFQALqU2QW9mAdf95XKye8oLi/KbUsf+63briK1YJNgAT8JErITVrg1g557CCn44IyIaJs/+VnP//zP/ySABmkHFtAHFicFV7pX906GTdwoyomvPhxKXz//L/+f/9VABnTW1GgDKxJEqR66mMX6Ot/+du/8So/+za////zP//OiEZa0A6qI5kuN1Sg9rNyPx+fp/XuMuv2cL///X/////tB5wilyRNv06z13bm7q0/7QgsefE///ps///////8v//',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [0.1],
    data: 'BQAZEwAdUkQCABQvADQLLzY/bIVWoVB5nn5cZHeScJCSHhEWABI3YgBjbFVAOYCUnYljM2R+QIOEnlNogGPXja6XUEUqACI7VxZ4CiRkUJ5VRE4xOYaEr12/f8p6faTDsJJ0AC1BIgBLBBtQAFYwW1NegUeekpejpKaHWo51aq2MiYi9MFYhWmlfAHFOYF5fa1ATak6ZcoFbeIxRqJhsS8CfpbH/KC0Ae15kS21XcFIdkBpebk2PfnSbgs2jkVdw37Ko/5CsIEoYKQJfcT5YLU6YdcxQlneWjnhs/5tNk8iZ8+S2uaOwAGt7GBsEMwAsnVuLZb+AeO57Zp+V0YHG2Ju8o/+pwqnGQ2IrSxoyzYxDPEpxgmNNyaKBlooqs4SGpNuPlOfrtvPRWBpti3VyA3VqdGF8mn93ymzCr4icktLFsJrS/NHm1ujZYBhuW3JWgEijPlmMzJ2IaJmg9Mlz/7Cc/83A5///tv//Tjw2cVJOnIpsqMJfgsC3s9h+fpa+qLWhv6/m/9Pe3//6pTp0h2aMS9lOuGfBk6ml3qU7o8mw7/nLpP//4//h0fj/',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [0.37],
    data: 'BwAZFgQdSToMDBwsBjgZNUBAaXxZmFl2m3hia3qSc5GSHBQZCRI2WQtZXUxHP3qAhX5iPmt7UnqEll9xgGzGjaWXQz0qCyA+ShlvGDBfSotYTVpCRoCDnmywgreAgKG3qJKACi4+Ig5LDSNQDFA7WFZaek2Ui5Gam52HZpR4aqmSiY66MFAkUWJZD2hRV1tTa00obVGNdX5mfpFcmphvYLqio63wLjMJbFddTmdUak8viS1adFCMfneViLqXlW541K6l8payIEUgLxFVZDtZP1WIcrVckICPkn5y6Jtfo7+W49uzwKawCWJpHh4VQxMziVuFbbZ6e9l+dJ+Ny4e4z6a3rPCvv7LDQFo0Uyk1q3hFUVNugmxZvJ59moxCsI2Jp9Cbnufhtu3TWyNpeWlsIXFsa2J7mnx7vnW1so6YnsO9tqfN7tLl1ejcYCFqYWlcdVGXU2KJtpiLgJyc4r5/87Of88nF6Pb5vvz8VzxAcVhSk4psn7RtjL2rrcyDjaKzsbaqxbjh9tnk3/z3nD1yhWqDWsdZr3eymqif0qtMqcaq4/LJr/n24Pzk0fj8',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [0.5],
    data: 'CwMZGAcdRTETEyIrDjoiPEZCZnZbkl11mHVob3iScpCTHhQcEBE0UxFUU0dKQnVzd3hhRm54W3aEkGh3gXG8jKGZOzotEiBAQBlpIDddSYFaUWBNT3yEk3SngquGgJ+wo5WHEDA7HxZLECZQFU1AVVladlSMh4yWl5mIbph6b6iVjJG3Lk8oSFxWG2RRUVtOaU81bVSHd35tgZNjk5Zyb7aho6vlLjkRYlRXT2FSaFI6gztYd1OLgHmQjq+Om3x+za2k6pm0IUUmNBtQXDpZSlp+dKVii4WKk4B12JtrrLiV29axxqmzDl1eIiEhTB85fFx8cK94f81+fZ2Jxoqux6u0sOe1vrnDQVQ6VTQ2lGxJXFdtgnJftJt7m5BTrpONq8mhpeTauerUWipmcGNoNm9tZ2R6mnx8uXurs5OVpby3u7DK5dXk0+ndXiVlY2NhcFmOX2qIrJeNjZ6a1reH6Lai7snH5/Hzw/z6XDxGcVlWjopsmqp1krmkqMSHl6ittrmux7/e8Nzl3Pn4mUBwgWp9ZLphqIGpnKWdyq1ZrsWo2uzKtvbz3vro1fj8',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [1.0],
    data: 'EwoeIBMkLyMrLDMzLkY+RVhOYWdie2tyhXF8fn2OeouVHBcnIxgyNCRBOT1JQFhTUWZeX25wdHR+gnuIhIWXhpGZIycyJCJALSlQNkNUSF5bWmppaHZ9eYKIgI6PhJSbjZadJDQ4JjFGKDlPNklQUVhbZ2RydnuBgo2DgJiJgp6cjp2uL0I0NUdGOE5OSVJNYFRZcWBzfXt9h5B8jJqElKSgo6S7NEMvQUdES1BQW1dTbl1ge2p3hn+Al5SBo5+LtKqixKi2KkA2OzpDUERTYV5ic3ptgod6k42Bq5qJtqyYwbqqyLW1KUZAPDpAVkJPaWNmeYlyiZx7mpiCsJ6TubWnvMq3vsjAQUZJT0dJYVNVb2ZphYB0mpR9pJmDsKSYt7yzu9TIvtzQV0BaXVFeYmFpcm11j3+ApZCLsZ6Suq6lxcHBzNnYy+bhYj5eZ1ZmbWt1fH2BlJGLpqCSuKuayLit1cnK2uDj0+/ub0Vcc2BlfX90jJKFm6SOqLCQs7igw8S40NTU2+bo2PPygkxnfWxsgY52lJmLpKaOsbOJt8OhwtbCyebe1e/r1/b0',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [1.9],
    data: 'IRsrJSIwLC04NjtCQUxOUVtaYWhob3N2en2Cf4SMgomRJCEwJyc0LzE9OT9HRU9SVV5eZGtscnd5fIGGgomPhY2VKCo2Ky87NDlDP0VOTFRZW2NlanFyd35+gYiKh4+Ui5OaLDQ7MTlAOkFJRkxTVVpfZGlrcnd3f4WDiY+OkJaYlZqfMjw+N0FDQkhNT1NXXmFjbm9vfH57iYyHlJaTnJ2doaKlN0JAPUdGSU9QWVpbaGhneHZzh4V+k5OLn56Xp6airauqPUVEREpKUVRUYWBfcm9rgn53kY2DnpuQqaeesq+pt7WyREhKTE5QWllZamZle3Zxi4Z9mpaKp6SYsrGmurqyvsG7TkpSVlFYY15hcm1sg353lI6Do56Rr6yhurqwwMW9xM3HWk5aYVdgbGVpe3Vzi4Z+m5eKqqaZt7WqwMS6xs/JydjTZ1NibF1ndm1wg356ko+FoqCRsK6gvL2yxc3Ey9jTzuHdcVlndmRtf3V1i4Z/mJeJp6iVtLelwMa4ydTLzuDb0ejleFxqfGhwhXp4j4yCnJ2Mqq6Yt7yowcu7ytrPz+Tf0+zp',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [2.0],
    data: 'Ix4sJyQxLS44NjxBQ0tNUVpaYWhob3R2eX2CgIWLgomQJSQwKSk2MDM9OkBGR09SVV5fZGtscnh6fIGGg4iOhY2TKSw1LTE7NTpDP0ZNTVRYW2NlanFxd31+gYeKiI6Ti5OYLTU6MjlAO0FIR01TVVpeZGlqcnd2f4SDiY6OkZWYlZmeMj0+OEFEQklMT1NXXmBjbW9vfH57iYuHk5aSm52doKGkN0NBPkdHSk9QWFpbaGdneHZzhoV/k5KMnp6XpqWjq6qqPkZFRUtLUlVUYWBfcW9sgX53kI2EnpqRqKeesK+ptbWxRUlMTk9RW1laamdlenZxi4Z9mpWLp6OZsbCmuLqyvcC7T0xTV1RZZF9hcm5sg354k46Dop6Sr6yhubqwv8S9w8zFW1BbYllgbWZpe3Zzi4Z+m5eKqaaatbWqv8O6xc7HyNbQZ1VjbV9od21wg356ko+FoZ+Rr6+gur6xxMzDydfRzN/acVpodmVtf3R1ioV/l5eJpqeWtLamvsW3x9PJzd7Y0OXheF1rfGlwhHl4j4uBm5yMqKyYtrypwMu7ydjNzuPc0enm',
  },
  {
    image: 'rgb',
    op: 'blur',
    params: [3.3],
    data: 'LDE3MTY7OT1CQkZKTFJUWFxfYmhqbnJ0dnt9foGEg4aJLzU6NDo+PEFFRUlNUFVXXF9iZmttcXV3en6AgYSHhomMMzk9OD5BQEVISU5RVFlbYGRma29wdnl7f4KEh4iLjI2QOD9BPkNGRktNT1NVWl5fZ2lqcXV1fX9/hoiJjY6QkpOVPkRGRElLTFFSVllaYmVlbnBweXt6hIWFjY+OlZWWmpqbRUpMS09QVFdXXmBgaWxqdnd1gYKAjI2LlZaVnJ2coaKiTVBSU1VWXF1dZmdmcXJwfn57iYqGlJWSnZ+bpKWjqaqpVlVYXFtcZGNjbm1senl2hoaBkZKNnJ2YpKeirK6qsLOwXlpeZGBibGhpdnNxgoB8jo2HmJqTo6Wfq6+psreytry4Z15kbWVodG1vfnl3iYeClJSNn6GZqa2lsbiwuL+5vMW/b2FpdGlte3J0hX58j4yHmpqSpKifrrSrtr62vMa/wMzFdWRtemxygXV4ioKAlJCLnp6Xqa2jsrmvucS6v8zDw9LKemZwf251hXh7joSDmJOOoqKarLCmtL2yu8i+wtDHxdbO',
  },
  {
    image: 'rgb',
    op: 'solarize',
    params: [],
    data: 'BQAZEwAdUkQCABQvADQLLzY/bHpWXlB5YX5cZHdtcG9tHhEWABI3YgBjbFVAOX9rYnZjM2R+QHx7YVNof2MoclFoUEUqACI7VxZ4CiRkUGFVRE4xOXl7UF1AfzV6fVs8T210AC1BIgBLBBtQAFYwW1NefkdhbWhcW1l4WnF1alJzdndCMFYhWmlfAHFOYF5fa1ATak5mcn5beHNRV2dsSz9gWk4AKC0Ae15kS21XcFIdbxpebk1wfnRkfTJcbldwIE1XAG9TIEoYKQJfcT5YLU5ndTNQaXdpcXhsAGRNbDdmDBtJRlxPAGt7GBsEMwAsYlt0ZUB/eBF7ZmBqLn45J2RDXABWPVY5Q2IrSxoyL3NDPEpxfWNNNl1+aXUqTHt5WyRwaxgUSQwuWBptdHVyAHVqdGF8ZX93NWw9UHdjbS06T2UtAy4ZKRcmYBhuW3JWf0hcPllzM2J3aGZfCzZzAE9jADI/GAAASQAATjw2cVJOY3VsVz1ffT9ITCd+fmlBV0peQFAZACwhIAAFWjp0eGZzSyZOR2c+bFZaIVo7XDZPEAY0WwAAHAAeLgcA',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [0, 0, 9, 12, 4, 5],
    data: 'ME5cc6YgTVyExzZ6iaHTcaWvzd4=',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [2, 1, 6, 7, 16, 16],
    data: 'GhgTEA4XPnWFb2aAknNJOBkYFhUVHD9xfWRadYpyUEIWGR0iIylBYWJDN1Z0b2BbEhknNDg6RVJGHhAyWmx1eg0VLkVLTFVfTiEPMVpxfoYDDTJVXV5yin5LNFJ1fXx9AAk3Ymttiaumd15zioV6dQsVP2ZvcYSano6Ae3h6fX8fKUhlbW9wb3yaoXhUZYSRKTNKYW10alprn7F7SmORoxolPllyhX5pc5usjHCGqLYMGDBQeJqaiIWRnJ6hsMDHJiw1THystKaYiYietcLLz2hiTk2BvM7JsYJui6/Ayc6djmNPhMfg4sN+W3umusXLsZ5qT4XM6O3Le1N2pLrFyw==',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [1, 2, 5, 8, 5, 8],
    data: 'eGF3PGSEe5UUH4BbjEY7bDxEUAdXgNKpYXKxZYp4c5NhclyzR5jJhw==',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [0, 0, 9, 12, 9, 12],
    data: 'AFsAT00/fiWlenW2Nzl4YXc8ZIR7lajHFRkUH4BbjEY7bNLdMxQ8RFAHV4DSqemvKABhcrFlinhzk7D/Py5hclyzR5jJh9n/XhZLp5CRscqfvt3PU5tO0Nxap8iquNr/UbyNi9fEyLr//+i/',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [0, 3, 7, 5, 3, 9],
    data: 'SVRnVkJfdV5QQlZ3XzxWcnFwioaAjJmHfpqr',
  },
  {
    image: 'grey',
    op: 'resize',
    params: [0, 0, 9, 12, 28, 28],
    data: 'AAQ6XzUAAjRRUElBPVJ4eD4bUZ2oiXNrcI2uuwAJOVs4BQw5U1NNRD1QdXdEJFaapIl3cHWRsLwOFTlUQSMqR1hbV0o9S2xzUj5jlJ2MgHuAmbS/JSg4SE5RVlxgZ2dTPUNebGdldouSj46Nkqa7wzY2NTtVcnVnY3F1XT9AVml5goF+g46YnaW1w8kzMi0wSGVmV1ZvfWdJSWBweXxxZmx/kqS0w8zRIyMiJC88OzQ/ZoJyWFx1fnBfUEdPZoOlw9HX2xYWGRsaGBcYLF2Bdl5nhIhnSDo3QVh5qM/c3d8ZGBgWFRMUFypWdmhOWHmCZk1KUVpmgbPa39bUJyMcFhogJSczT19IKTRbcGhkd4+TipfE5drDuzMuHxUhMjo8QU5PMA0XQmFse6DExKuq0OrVtak2LxwQIz5KS1BdXToSG0VkcoKlx8ixrszh07yyMSkSBiJJWVpjfIVhMzhfd3p9jqCloaa5ytLV0ywjCwAiU2ZndZiqiVtbeoiBeHZ5gY6bpbTT8PUtJQ4EKFlsb3uarJh5dH+EgHt4d32HlJ+x2P3/My0cFjRcbG91gYySlIhwZ3WEj5iViYyjwOP//zs3LCg/XGpvb2Znh6mXX0xskKq8sY6JrNLt//9FQDMtP1lpdHRiXISxn2NPdJ64ybuVj7Xb7vj7U0owHzFPaH+Gc2mGqaF9dJKwu720oaPB3ubn52FTLRIiRGaMnIx/ipqem6G0wriqp625zt3c1tRlWDYcJkBml6+llo6LlKi6x8y4oaG0xNTd2dLPXlpQRj9BZaLEwbKUd36gusnNuaCfscHQ2+Dh4VNabnpiRmSr1dzNm2VnkbLEy7qkoa26ytrq9fhLWoKfflJorNjn3qVlZI+wwci+sK2zvsva7fv+SFuLsZRpc6DC29+3hYOit7/DxsrKztTZ3+Xq6Udbjrilg3+Qpcbaya2quMC8vc/m6uzt6eTb0s1HW5C8sJSHhZK519THxcfGu7rV+f///vTo1MO6RluSwLaaioGMtNbZ0c7NyLq52P/////46dG9tA==',
  },
  { image: 'grey', op: 'resize', params: [1, 1, 3, 3, 2, 2], data: 'PE4cMg==' },
  {
    image: 'grey',
    op: 'resize',
    params: [3, 0, 4, 12, 11, 4],
    data: 'LS2EzS03g8stU37DLnd5uzKIero7gILDQ3WMzUZ5mNBGhqfNRZGyy0WVt8s=',
  },
  {
    image: 'grey',
    op: 'brightness',
    params: [0.6],
    data: 'ADYALy4lSxZjSUZtISJIOkckPE9JWWR3DA8MEkw2VCojQH6EHgwkKDAENEx+ZYtpGAA6RGo8UkhFWGmZJRs6RDdrKlt4UYKZOA0tZFZXanlfcoR8MV0ufIQ2ZHhmboKZMHBUU4F1eG+ZmYty',
  },
  {
    image: 'grey',
    op: 'contrast',
    params: [0.6],
    data: 'NGo0Y2JZf0qXfXqhVVZ8bntYcIN9jZirQENARoBqiF5XdLK4UkBYXGQ4aICymb+dTDRueJ5whnx5jJ3NWU9ueGufXo+shbbNbEFhmIqLnq2TpriwZZFisLhqmKyaorbNZKSIh7WprKPNzb+m',
  },
  {
    image: 'grey',
    op: 'brightness',
    params: [0.83],
    data: 'AEsAQT80aB6IZWGXLS9jUGIxU21me4ulERQQGWpLdDowWa63KhAxOEIFSGqujMGRIQBQXpJTcmNfepLTNCZQXkyUOn6mcLTTThI+ind4kqeDnberRIBArLZKiqaNmLTTQ5x1c7KipprT08Ce',
  },
  {
    image: 'grey',
    op: 'contrast',
    params: [0.83],
    data: 'FmEWV1ZKfjSfe3etQ0V5ZnhHaYN8kaG7JyomL4BhilBHb8TNQCZHTlgbXoDEotenNxZmdKlpiHl1kKjpSjxmdGKqUZS8hsrpZChUoI2Oqb2as83BWpZWwsxgoLyjrsvpWbKLici4vLDp6da0',
  },
  {
    image: 'grey',
    op: 'brightness',
    params: [1.0],
    data: 'AFsAT00/fiWlenW2Nzl4YXc8ZIR7lajHFRkUH4BbjEY7bNLdMxQ8RFAHV4DSqemvKABhcrFlinhzk7D/Py5hclyzR5jJh9n/XhZLp5CRscqfvt3PU5tO0Nxap8iquNr/UbyNi9fEyLr//+i/',
  },
  {
    image: 'grey',
    op: 'contrast',
    params: [1.0],
    data: 'AFsAT00/fiWlenW2Nzl4YXc8ZIR7lajHFRkUH4BbjEY7bNLdMxQ8RFAHV4DSqemvKABhcrFlinhzk7D/Py5hclyzR5jJh9n/XhZLp5CRscqfvt3PU5tO0Nxap8iquNr/UbyNi9fEyLr//+i/',
  },
  {
    image: 'grey',
    op: 'brightness',
    params: [1.27],
    data: 'AHMAZGFQoC7RmpTnRUiYe5dMf6ecvdX8Gh8ZJ6JzsVhKif//QBlMVmUIbqL/1v/eMgB7kOCAr5iSut//UDp7kHTjWsH/q///dxtf1La44P/J8f//acRj//9y1P7X6f//Zu6zsP/4/uz////y',
  },
  {
    image: 'grey',
    op: 'contrast',
    params: [1.27],
    data: 'AFAAQT4sfAuud3HEIiV1WHQpW4R5mrLZAAAABH9QjjUnZuf1HQApM0IAS3/ns/+7DwBYbb1djHVul7z/LBdYbVHAN53ciPD/VAA8sJOVvd2mzvXjRqE/5fRPsNq0xvH/Q8uPje3V2sn////P',
  },
  {
    image: 'grey',
    op: 'brightness',
    params: [1.4],
    data: 'AH8AbmtYsDPnqqP+TU+oh6ZUjLis0Ov/HSMcK7N/xGJSl///RxxUX3AJebP/7P/1OACHn/eNwaihzfb/WECHn4D6Y9T/vf//gx5p6cnL9//e////dNlt//9+6f/u////cf/Fwv//////////',
  },
  {
    image: 'grey',
    op: 'contrast',
    params: [1.4],
    data: 'AEsAOjckfACzdm/KGRt0U3IgWIR4nLfiAAAAAH9LkC4eY/L/EwAgKzwARX/yuP/BBABTa8NZjXRtmcL/JAxTa0zGL6Dlifv/TwA1tZWXw+aq1v/tQKU57/9KteS6zf3/PdORjvne5ND////X',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [0.1],
    data: 'AFsAT00/fiWlenW2Nzl4YXc8ZIR7lajHFRkUH4BbjEY7bNLdMxQ8RFAHV4DSqemvKABhcrFlinhzk7D/Py5hclyzR5jJh9n/XhZLp5CRscqfvt3PU5tO0Nxap8iquNr/UbyNi9fEyLr//+i/',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [0.37],
    data: 'CU8RTFBEdTmXf32zMTxmXm5FZ3h7kqjEGBwdK3RaflBLdczZLRg5RFMbWn+8qd25KAxZcp5pgXuAlbn1Py9ecmmhXJW8k9P5VihRoJGSq8Onu9rVWIxews9wp8Wxvdr2V6+NlNG/xcD1+OjF',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [0.5],
    data: 'D0ccSk9Hb0SQgYOyLz1aW2xKaHJ6j6jEHB4kM21ZeFdXfcbULBs5R1YqXX2vqdbAKBVWcJJte32Gl73vPTBbdHOYaZiymtH0UzFTmpaRpr2qutfZW4RnucZ/qMG2wtrwXaiMms28w8Pu9eXK',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [1.0],
    data: 'IzI7R1BUXWZ5h5erJzI/S1ZZYWp4jKW5JCk2R1ZaZG16lLTGJSg5TlpaZ3iLo7/OKzBJY3BvdYSVqMTaOT1Wc4GDiJaisMvhTVFmhpSUnKqyvdHfYW1+mqikrLrEzdneboOPo7W0usbX4N/Y',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [1.9],
    data: 'LDI8RlBZYm99jpymLTM9SFJcZXKBk6GsLzZATFZha3iImqm0NDtGU15qdIGRo7K9PURQXmp2gI2crbvGSVFebHmFj5upt8TNV19tfImVn6m1wcvSZW17ipeirLbAytHWbnaEk6CrtL7I0NXZ',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [2.0],
    data: 'LTI7RU9ZZHB+jpylLjQ9R1JcZ3SCk6GqMTdBTFZhbHqJmqmyNj1IVF9qdYOSo7K7P0ZSXmp2gY6drLvES1NfbHmFj5ypt8PLWGFte4iUnqq1wMrRZW16iJWgq7a/yNDVbXaDkZ6ps73GztTX',
  },
  {
    image: 'grey',
    op: 'blur',
    params: [3.3],
    data: 'ODxDTFZibnqGkZmgPEBHUFpmcn6KlJ2kQkZNVWBseISPmqKpSU1UXWhzf4uWoKivUVZcZnF8iJSeqK+1WV5lb3qFkZymsLe8YWdud4KOmaSutr3CaG11foqVoKu0vMLHbXJ6g4+apbC4wMXK',
  },
  {
    image: 'grey',
    op: 'solarize',
    params: [],
    data: 'AFsAT00/fiVaenVJNzl4YXc8ZHt7alc4FRkUH39bc0Y7bC0iMxQ8RFAHV38tVhZQKABhck5ldXhzbE8APy5hclxMR2c2eCYAXhZLWG9uTjVgQSIwU2ROLyNaWDdVRyUAUUNydCg7N0UAABdA',
  },
  {
    image: 'rgb',
    op: 'saturation',
    params: [0.8],
    data: 'BAAUEQEZTkMOAxMpBjAPMDU9boJcllV2mH9kZ3aMdI6PHBEVAxEvVghXaFVFQ3yMmYlrOmF2SX9/lFhofmfEkauZTUUvBSA0UBxqDyRXWZddREw1Q4F/pWSyh8ODg6K7q5N7Bio6HwM/CBpFC1AxWlNcekySk5ego6WMYIp2cqiNiomzNFIoW2dfD2lNX15fZVAfZ1GNc39geYlapJh0WridqLLwJysHd19kT2pYalIogSJZalCFfXWUi8emiVtv2LSs8JetJEYeJQZQakFWM02JfsRgknmSinlv759gmcOe7+O/tqSvD2VxFxoHLAQnlGCGcLiFhuSIbZuTx4e+0J+5rveyv6vCRl4yRB0wxI5UPkppfWRSwqOJkog7rIaIqtaZn+Llve7TUR9ih3ZzEG1lcmJ4loB6vnO4qoqams3DrpzJ9tTk2ObaVx5jXXBZek2WQ1iBxZ+Ob5ab7MmE87Sk98/F6v39wPr6Sz04bFNQmIpyqb5viry0ttOLgpW1qbOjvrHd+dXe4/35l0Fwg2iHW81erm21lqek06ZRp8ay7/fSsPn55vzk1vX7',
  },
  {
    image: 'rgb',
    op: 'saturation',
    params: [0.93],
    data: 'BAAXEgAbUEMGARMsAjIMLzU+bIRYnVJ4nH5eZXaPcY+RHREVARE0XgJealVBPH6Rm4llNWN7Q4GCmlRof2TQjq2XT0UrASE4VBhzCyRfU5tXRE0yPISCq1+6gsd9f6PArpJ2Aiw+IAFHBRpMA1MwWlNdfkiZkpeio6WIXIx1bauMiYi5MVQjWmhfBW5NX15faVAXaU+UcoBdeItUpphvUL2eprH5JywCeV5kTGxXblIgih1cbE6LfXSYhcukjlhv3LKp+ZKsIUgaJwNabj9XL02SeMlVlHeUjHht+ZxTlcaa8eO5uKOvBWh3FxoFMAEqmlyJaLyCfOp/aJ2UzYPD1Zy7pvyswanERGAtSBsxzIxIPEpugGNPxqKDlIkwsISGptmSmOXpuPHRVRtpiXVyBXJoc2F6mH94xm6+rYibldDEr5rO+tLl1ufZXRpqW3FXfUmeP1iIyZ2Kapie8cl5+rGe/M3B6P7+uf39TTw2b1JOmopuqMBkhL62tNaCf5W6qLShvq/i/NPe4P75oDxyhWaKUNRTtGm9lKik2qVCpMiw7/jNqP395P7i0vf9',
  },
  {
    image: 'rgb',
    op: 'saturation',
    params: [1.13],
    data: 'BQAbFAAfVEQAABQyADYILjZAaoZRp0x6oX1WYXeVbZGTHxAWABI7aQBqblQ8MoKZn4hdLmWCOYWGpE9ngGDjiq+VUUUmACI/WxGABiRsSqJPQ04uMYiGtFjHec5zeKXIs5FvAC5FIwBSARtXAFkuW1JehUOlkZekpKaDVZB0ZLCKiIfDLVgcWGleAHVOYF1fbk8Ka0ugcYJXd41LqphmQMWforD/KC0AfVxjSG5Vc1EVmRRhcEqVfnOfe9ChlVRw47Cl/4uqHEwTKwBodTtZKE6hbtFFmHWYkHdp/5hAjsqV9eSwuqGwAG6AGBsBNwAvoleNXcN8bvRyYKGW13zK3Zi9m/+iw6fIQWQlTxcy14o3Okp2hWJJzaB7mIoet4KEoN6IjOrusPXPXBZ0jXRwAHltdV9+nH510WfIsoacjNTGsZjX/8/m1OjXZRN1WXNTg0SrOlmS0JuDY5qi+chn/62W/8u85P//r///Tzs0c1BMnolnp8RUfMK4sNp1e5bDp7Wfv63r/9Hd3P/6rTR2iWSPQOBDvmLIkaml5KQsn8qu7vrGm///4P/ezfn/',
  },
  {
    image: 'rgb',
    op: 'saturation',
    params: [1.2],
    data: 'BQAdFQAhVUQAABQ1ADgGLTZBaYdPq0p7o3xUYHeYa5GUHxAWABI+bQBub1Q7LoOboIhbK2aFNoeIqE5ngV7piLCUUkUkACNBXQ+FBCRwRqRMQ08sLoqIuFXLdtBwdqXKtJBsAC9HJQBWABtaAFwuW1Jfh0GqkZelpKaBU5FzYbGKiIbGK1kZWGpeAHhOYF1fcE8GbEqkcIJVdo5Hq5hjO8egobD/KC4Af1xjRm9VdVERnxFjcUmYfnKheNKgmFNx5a+j/4iqG00RLABtdzpZJk6na9Q/mXSZkXdo/5Y5jMyT9uStu6GxAHGEGBsAOQAwpVaPWcV6avdtXqKW2nrN35a+mP+fxKbJQGUjURYz24kxOUp4hmFHz6B4mYsYuYGDnuCEiOvwrvfOXhR4jnNwAHxvdl9/nn101WTLtIWdidbGsZfa/87n0+nXaBF5WHRShUKvOVmW05qBYZuk/Mhh/6uT/8q64///q///UDszdVBLn4llpsVPecS5r9xweZbGpraewKzu/9Dd2v/7sjJ3imOQOuQ9wWDMkKql6KQknsut7vrDl///3//dy/r/',
  },
  {
    image: 'rgb',
    op: 'hue',
    params: [-0.1],
    data: 'AAoZAQAdUhUCAC8tFTQALz8+hYJWmFChnlxhZJKRcJKAHhEeADI3KABjbEBEOZRxnWZjM35sQIRdnlOUY4zXl66NUC8qADsxHRZ4Clpkep5RTkcxOYZWdV6/r8p7fcO4sHV5AEEuAAtLBEhQBFYAVVNeTUeekqGjppaHXo5aca1riKe9UFYhXmlaAHELYF5gaxwTTmCZgXlbjHxRqHVsS8BZpef/LRcAe151VG1LcCEdexuQTVSPdIKbj82Cj1eR36m+/5DuPkoYAhRfbD5xLY+Yv8xQhHeWjmx0/01mrciT88C2taO5AHtDGxAEHAAziFudgb9lu+54Zp90rYHR0JvY1f+jsanGYmArRxpL0ERKPGpxgk1WyYGKlkkqs4Wi0duPlOu7wPO2Jhpti3J9AHUkZGF8mniEm23Kq4mvk9KfmqbS+dL83ujXLBhubHJWSkijPoeMzIiaaKCF9H10/5zB/8DY5//xtv/TTjY+cU5fnG1swqBfgsCS2MZ+f7y+tLWhsMDm/9P43//nlTqlcGaMn9lMg2jBk6mY3kM7rcmj+efLpP/I9f/h0f/q',
  },
  {
    image: 'rgb',
    op: 'hue',
    params: [-0.037],
    data: 'AAEZDAAdUjMCAB8vATQALzo/doVWoVCLnm9cZIGScJKNHhEZAB43TQBjbExAOZSTnXxjM3R+QIR2nlN4ZmPXja6QUD0qAC87QhZ4CjlkXZ5RSk4xOYZzmV6/kcp7fbPDsIV1ADxBEgBLBCtQAFYcWVNebkeekpujpqGHWo5qa619iJS9PFYhWmlcAHE1YF5faz0TWU6ZeoFbhoxRqItsS8CFpcX/LSgAe15qS21PcEAdkBt5YE2PdXSbgs2SkVd936mq/5DEK0oYFAJfcT5jLWeYkMxQj3eWjnBs/3NNmsiT89e2uaO1AHtxGxkELwAznVuZZb9rj+54Zp+JyoHR2JvJsv+jvKnGT2IrSxo90G9EPFZxgldNyZKBlnEqs4WRtduPlOvctvPDRRpti3J0AHVQbmF8mnh4vm3Kr4mlk9K2o5rS/NLw2OjXTRhuYXJWbUijPmqMzI6IaKCa9K10/5yc/8DA5//6tv/vTjc2cU5SnH9sv8JfgsCpyNh+f6S+rLWhtLDm/9Po3//zpTqNfmaMatlMpWjBk6mg3oA7o8mo+fjLpP/r6f/h0f/7',
  },
  {
    image: 'rgb',
    op: 'hue',
    params: [0.05],
    data: 'DAAZGwAdSlICAAgvADQYLzI/X4VWoVBjno9cZGuScIaSHhETAAM3YwBIbGFAOWiUnZhjM09+QHCEnlNTn2PXja6gUFAqABI7chZ4CgxkUZ5qPE4xOXOGv161e8qMfZHDsKN1ABxBNwBLBAZQAFZHXlNemUeekpOjnKaHWo6Ea62el4i9IlYhWmljAHFtYF5fa2gTfk6ZaIFbaYxRp6hsS8C/sqX/HC0Ae19eS21gcGkdkBs+gE2PiHSbgs23kVdh38Gp/5CQGEoeQgJfcT5KLTKYU8xQlneOjoFs/8tNk8in8fO2uaOqAEh7EhsEMwAenVt5Zb+YeO6cZpmf0YGw2Juro//BxqnCNGIrSxol0LREPDxxgnFNybaBhpYqs46Fj9uPlM/rtvPhbRpsi3xyAGB1e2F8mol4ym2or4mSk87Sv5rS/NLb1+jebhhlVnJZmUijPkSMzLCIaIqg9Ox0/8uc/97A5/n/tuv/TkI2cVtOnJdsjsJfgrjAnNh+f4W+o7WhzrDm/9PT3/z/pTpYjGaHTNl0wWixk6ep3tE7o8m64/nLpOb/4f/n0ez/',
  },
  {
    image: 'rgb',
    op: 'hue',
    params: [0.1],
    data: 'EwAZHQAXMVICBwAvADQoMS8/VoVcoVRQmZ5cbGSScHySHhMRDgA3YwAqaWxAOU2UkJ1jMzl+QFuEnmhTw2PXja6qRVAqAAA7eBZgJApkUZ6CM04xOVyGv16Xe8qkf33Dq7B1AAhBSwBIGgRQAEtWXlNbnkeJl5KjkqaHWomOa6itp4i9IVYwWmloAFJxYF5eU2sTlU6ZXIFbV4xRlahsS57AzaX/Di0Ae2heS21qXnAdkBsbj02KlHSbgszNkV5X39Kp/7KQGEotXgJfcUA+SS2YUMxzlneEjots/f9Nk8i33vO2uaOkACN7CxsEMwAOnVtkZb+zeO7AZoif0YGY2Jybo//dxqm5K2IzSx4awdBETDxxgoFNxsmBZZYqs52Fj9unlLXrtvLzbRpTi4RyAD11fGF1mpN4ym2Lr4qJk7vS0JrS/NXS1+jkbhhLVnJho0iRUD6MzMWIaHmg1PR0/+mc//HA5/H/ttX/Tko2cWZOkpxsb8JfgqXAgNh+jH++obWm37Dm/+DT3/L/pTo6jGZ8TNmfwWiWk6Gput47o8nG1fnLpMv/4f/x0d7/',
  },
  {
    image: 'rgb',
    op: 'grayscale',
    params: [],
    data: 'BAQECQkJQUFBERERICAgNTU1eHh4bW1thISEdHR0h4eHFRUVERERKSkpWVlZbW1ti4uLWFhYb29vbGxseXl5oqKiRUVFGxsbNTU1JCQkfn5+SEhIb29vgYGBqqqqnJycmJiYIiIiExMTGhoaODg4V1dXYmJil5eXoqKifHx8lZWVjo6ORUVFY2NjS0tLX19fUVFRX19feHh4f39/mJiYmZmZtra2JiYmZ2dnYGBgVVVVRUVFXl5ee3t7srKya2trvr6+tLS0ODg4GBgYUFBQTU1NpKSkhISEfX19sLCws7Oz4+Pjq6urTU1NFxcXFBQUdHR0nZ2dvr6+jY2NoaGhsbGx2tratLS0UlJSKysrmJiYSkpKampqqqqqg4ODkpKSwsLCz8/P3d3dNjY2e3t7UVFRampqhoaGkpKSlpaWvb29p6en4ODg4eHhNzc3aGhoY2NjV1dXqampi4uLzMzMxcXF2tra+Pj46enpQUFBW1tbjIyMr6+vrKysw8PDk5OTr6+vurq64eHh9fX1YWFhdHR0n5+fiYmJoqKiqqqqu7u78fHx5OTk8/Pz7e3t',
  },
];

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

function run(c: Case): Uint8Array {
  const im = IMAGES[c.image];
  const src = bytes(im.data);
  const n = src.length;
  if (c.op === 'resize') {
    const [top, left, h, w, oh, ow] = c.params;
    const out = new Uint8Array(oh * ow * im.c);
    new BicubicResizer().resize(src, im.w, im.c, top, left, h, w, out, oh, ow);
    return out;
  }
  const out = src.slice();
  const ops = new ColorOps();
  switch (c.op) {
    case 'blur':
      new GaussianBlurPIL().apply(out, im.h, im.w, im.c, c.params[0]);
      break;
    case 'brightness':
      ops.brightness(out, n, c.params[0]);
      break;
    case 'contrast':
      ops.contrast(out, n, im.c, c.params[0]);
      break;
    case 'saturation':
      ops.saturation(out, n, c.params[0]);
      break;
    case 'hue':
      ops.hue(out, n, c.params[0]);
      break;
    case 'grayscale':
      grayscale(out, n);
      break;
    case 'solarize':
      solarize(out, n);
      break;
    default:
      throw new Error(`unknown op ${c.op}`);
  }
  return out;
}

for (const op of [...new Set(CASES.map((c) => c.op))]) {
  test(`${op} equals PIL bit for bit`, () => {
    for (const c of CASES.filter((x) => x.op === op)) {
      const got = run(c);
      const want = bytes(c.data);
      assert.is(got.length, want.length, `${c.image} ${op} ${JSON.stringify(c.params)}: length`);
      let diff = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) diff++;
      assert.is(
        diff,
        0,
        `${c.image} ${op} ${JSON.stringify(c.params)}: ${diff} of ${want.length} values differ`,
      );
    }
  });
}

test.run();

/* The generating script (python3 script.py > fixture.json; pasted above as IMAGES and CASES):

# Python 3 + Pillow 9.4 (Debian python3-pil) + numpy: writes the PIL oracle for augment-pil.test.ts.
import base64, json, sys
import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

rng = np.random.default_rng(0)
b64 = lambda a: base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode()
def smooth(h, w, c):  # noise plus a gradient: both edges and flat areas
    y, x = np.mgrid[0:h, 0:w]
    base = (x * 255 / max(1, w - 1) * 0.6 + y * 255 / max(1, h - 1) * 0.4)[..., None]
    a = base + rng.normal(0, 40, (h, w, c))
    return np.clip(a, 0, 255).astype(np.uint8)
imgs = {'rgb': smooth(13, 11, 3), 'grey': smooth(9, 12, 1)[..., 0]}
out = {'pil': Image.__version__, 'images': {}, 'cases': []}
for k, a in imgs.items():
    out['images'][k] = {'h': a.shape[0], 'w': a.shape[1], 'c': 3 if a.ndim == 3 else 1,
                        'data': b64(a)}
pil = {k: Image.fromarray(a, 'RGB' if a.ndim == 3 else 'L') for k, a in imgs.items()}
def add(img, op, params, res):
    out['cases'].append({'image': img, 'op': op, 'params': params, 'data': b64(np.array(res))})
for k, im in pil.items():
    W, H = im.size
    for (l, t, w, h, ow, oh) in [(0, 0, W, H, 5, 4), (1, 2, 7, 6, 16, 16), (2, 1, 8, 5, 8, 5),
                                 (0, 0, W, H, W, H), (3, 0, 5, 7, 9, 3), (0, 0, W, H, 28, 28),
                                 (1, 1, 3, 3, 2, 2), (0, 3, W, 4, 4, 11)]:
        add(k, 'resize', [t, l, h, w, oh, ow],
            im.crop((l, t, l + w, t + h)).resize((ow, oh), Image.BICUBIC))
    for f in [0.6, 0.83, 1.0, 1.27, 1.4]:
        add(k, 'brightness', [f], ImageEnhance.Brightness(im).enhance(f))
        add(k, 'contrast', [f], ImageEnhance.Contrast(im).enhance(f))
    for r in [0.1, 0.37, 0.5, 1.0, 1.9, 2.0, 3.3]:
        add(k, 'blur', [r], im.filter(ImageFilter.GaussianBlur(radius=r)))
    add(k, 'solarize', [], ImageOps.solarize(im, 128))
im = pil['rgb']
for f in [0.8, 0.93, 1.13, 1.2]:
    add('rgb', 'saturation', [f], ImageEnhance.Color(im).enhance(f))
for hf in [-0.1, -0.037, 0.05, 0.1]:  # torchvision functional_pil.adjust_hue
    h, s, v = im.convert('HSV').split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over='ignore'):
        np_h += np.array(hf * 255).astype(np.uint8)
    add('rgb', 'hue', [hf], Image.merge('HSV', (Image.fromarray(np_h, 'L'), s, v)).convert('RGB'))
add('rgb', 'grayscale', [], im.convert('L').convert('RGB'))
json.dump(out, sys.stdout, separators=(',', ':'))

*/
